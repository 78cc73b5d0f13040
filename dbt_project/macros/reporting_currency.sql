{#
    reporting_currency(): the ISO 4217 code every mart reports money in, var('reporting_currency')
    (default USD; the pipeline passes the REPORTING_CURRENCY setting), checked and upper-cased.
    reporting_currency_code(): the same as a SQL string, the value of every model's currency_code
    column from the intermediate layer on (DECISIONS.md, "Currency").
#}
{% macro reporting_currency() -%}
    {%- set code = var('reporting_currency', 'USD') | string | trim | upper -%}
    {%- if not modules.re.match('^[A-Z]{3}$', code) -%}
        {{ exceptions.raise_compiler_error(
            "var('reporting_currency') must be an ISO 4217 code such as USD or GBP, got: " ~ code
        ) }}
    {%- endif -%}
    {{ return(code) }}
{%- endmacro %}

{% macro reporting_currency_code() -%}
    cast('{{ reporting_currency() }}' as {{ dbt.type_string() }})
{%- endmacro %}
