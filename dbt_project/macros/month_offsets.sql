{#
    month_offsets(): a select of the integers 0-999 as month_offset, for month spines without
    recursive SQL (dbt unit tests cannot run recursive CTEs) or dbt_utils: 1,000 months is 83
    years. Use it as a CTE body, then dbt.dateadd('month', 'month_offset', <first month>) and keep
    the offsets up to dbt.datediff(<first month>, <last month>, 'month').
#}
{% macro month_offsets() -%}
    {%- set digits -%}
        select 0 as digit union all select 1 union all select 2 union all select 3
        union all select 4 union all select 5 union all select 6 union all select 7
        union all select 8 union all select 9
    {%- endset -%}
    select ones.digit + 10 * tens.digit + 100 * hundreds.digit as month_offset
    from ({{ digits }}) as ones
    cross join ({{ digits }}) as tens
    cross join ({{ digits }}) as hundreds
{%- endmacro %}
