{#
    DuckDB implementation of dbt's cross-database safe_cast: dbt-duckdb falls back to a plain
    cast, which raises on bad input; try_cast gives null instead, as safe_cast promises. The root
    project is searched first when dbt dispatches, so `dbt.safe_cast` lands here on DuckDB.
#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
