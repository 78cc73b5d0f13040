{#
    to_reporting_timezone(ts): a UTC timestamp (timestamp without time zone, as every *_at column
    is stored) as wall-clock time in var('reporting_timezone') (default America/New_York), also
    without time zone. Models name the result *_at_local and cut *_date and *_month from it:
    2025-02-01 03:00 UTC -> 2025-01-31 22:00 in New York, so that order belongs to January.
    Independent of the session time zone.
#}
{% macro to_reporting_timezone(ts) -%}
    {{ return(adapter.dispatch('to_reporting_timezone')(ts)) }}
{%- endmacro %}

{% macro reporting_timezone_name() -%}
    {%- set zone = var('reporting_timezone', 'America/New_York') | string -%}
    {%- if not modules.re.match('^[A-Za-z0-9_+/-]+$', zone) -%}
        {{ exceptions.raise_compiler_error("var('reporting_timezone') is not a time zone name: " ~ zone) }}
    {%- endif -%}
    {{ return(zone) }}
{%- endmacro %}

{% macro default__to_reporting_timezone(ts) -%}
    (({{ ts }}) at time zone 'UTC') at time zone '{{ reporting_timezone_name() }}'
{%- endmacro %}

{% macro duckdb__to_reporting_timezone(ts) -%}
    timezone('{{ reporting_timezone_name() }}', timezone('UTC', {{ ts }}))
{%- endmacro %}

{% macro postgres__to_reporting_timezone(ts) -%}
    (({{ ts }}) at time zone 'UTC') at time zone '{{ reporting_timezone_name() }}'
{%- endmacro %}

{% macro spark__to_reporting_timezone(ts) -%}
    from_utc_timestamp({{ ts }}, '{{ reporting_timezone_name() }}')
{%- endmacro %}
