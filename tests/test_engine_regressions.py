"""Wrong answers the engine gave once; these guard every DuckDB upgrade."""

from __future__ import annotations

import duckdb


def test_a_sum_filtered_by_a_scalar_subquery_compares_equal_to_its_value() -> None:
    # DuckDB 2.0.0's statistics propagation assumed such a sum holds at most one row's value and
    # folded `s = 11` to false; our marts compare sums filtered by as_of_date(), a scalar subquery.
    # 5 + 6 are the values <= 10, so s = 11 and the comparison must be true.
    con = duckdb.connect()
    con.execute("create table amounts as select * from (values (5), (6), (100)) as t(amount)")
    con.execute("create table cutoff as select 10 as max_amount")
    result = con.execute(
        """
        select total, total = 11
        from (
            select sum(amount) as total
            from amounts
            where amount <= (select max(max_amount) from cutoff)
        )
        """
    ).fetchall()
    assert result == [(11, True)]
