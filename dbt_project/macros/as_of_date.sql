{#
    as_of_date(): the last complete day (a date in the reporting time zone) the marts are judged
    at. var('as_of_date') (YYYY-MM-DD) when set, otherwise the latest order date in
    int_orders_numbered_per_customer. Never current_date: a rebuild of the same data gives the same
    marts. Do not call it in int_orders_numbered_per_customer or anything upstream of it (cycle).
    Unit tests set it with `overrides: {macros: {as_of_date: "cast('2025-03-31' as date)"}}`.
#}
{% macro as_of_date() -%}
    {{ return(adapter.dispatch('as_of_date')()) }}
{%- endmacro %}

{% macro default__as_of_date() -%}
    {#- ref() whether or not the var is set: dbt records a model's dependencies at parse time, and
        the pipeline parses with --vars while Dagster's manifest is parsed without them. A
        dependency that exists in one DAG only lets dbt finish a model before its parent in
        Dagster's graph, which Dagster refuses ("yielded before its dependency"). -#}
    {%- set orders = ref('int_orders_numbered_per_customer') -%}
    {%- set configured = var('as_of_date', none) -%}
    {%- if configured is not none and (configured | string | trim) != '' -%}
        {%- set day = configured | string | trim -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', day) -%}
            {{ exceptions.raise_compiler_error("var('as_of_date') must be YYYY-MM-DD, got: " ~ day) }}
        {%- endif -%}
        cast('{{ day }}' as date)
    {%- else -%}
        (select max(order_date) from {{ orders }})
    {%- endif -%}
{%- endmacro %}
