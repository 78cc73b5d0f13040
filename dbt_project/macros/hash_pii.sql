{#
    hash_pii(expr): the SHA-256 hex digest of a personal value, trimmed and lower-cased first, so
    ' Ann@Example.com' and 'ann@example.com' hash alike. Null and blank stay null. Staging calls it
    on every e-mail and phone column: clear values never leave staging.
#}
{% macro hash_pii(expr) -%}
    {{ return(adapter.dispatch('hash_pii')(expr)) }}
{%- endmacro %}

{% macro default__hash_pii(expr) -%}
    sha2(nullif(lower(trim({{ expr }})), ''), 256)
{%- endmacro %}

{% macro duckdb__hash_pii(expr) -%}
    sha256(nullif(lower(trim({{ expr }})), ''))
{%- endmacro %}

{% macro postgres__hash_pii(expr) -%}
    encode(sha256(convert_to(nullif(lower(trim({{ expr }})), ''), 'UTF8')), 'hex')
{%- endmacro %}

{% macro spark__hash_pii(expr) -%}
    sha2(nullif(lower(trim({{ expr }})), ''), 256)
{%- endmacro %}
