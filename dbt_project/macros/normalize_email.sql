{#
    normalize_email(expr): one spelling per mailbox, used to recognise a guest across orders.
    Lower-cases and trims, then in the local part (before the @) drops a '+tag' and every dot:
    ' John.Smith+promo@Example.com ' -> 'johnsmith@example.com'. Dots are dropped for every domain
    (Gmail ignores them, most stores treat such variants as one buyer; DECISIONS.md). A value
    without an '@' is only lower-cased and trimmed; null and blank give null.
#}
{% macro normalize_email(expr) -%}
    {{ return(adapter.dispatch('normalize_email')(expr)) }}
{%- endmacro %}

{% macro default__normalize_email(expr) -%}
    {%- set cleaned = "nullif(lower(trim(" ~ expr ~ ")), '')" -%}
    {%- set local_part = dbt.split_part(cleaned, "'@'", 1) -%}
    {%- set domain = dbt.split_part(cleaned, "'@'", 2) -%}
    case
        when {{ dbt.position("'@'", cleaned) }} > 0
            then {{ dbt.concat([
                dbt.replace(dbt.split_part(local_part, "'+'", 1), "'.'", "''"),
                "'@'",
                domain,
            ]) }}
        else {{ cleaned }}
    end
{%- endmacro %}
