{#
    Clean schema names: a folder's +schema (staging, intermediate, marts, reference) is used as is
    instead of dbt's default <target_schema>_<custom_schema>; nodes without one use the target's.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
