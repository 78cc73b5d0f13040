{#
    incremental_cutoff(relation): the earliest _loaded_at an incremental run of a staging model
    reads again, as a scalar subquery: the newest _loaded_at already in `relation` (pass the
    model's `this`) minus var('incremental_lookback_hours') (default 72). The lookback catches
    rows committed after the last run with an older _loaded_at (it is the start of the loader's
    transaction, or another loader's clock); the model's unique_key makes reading a row twice
    harmless. An empty relation gives 1900-01-01, so every row is read. Call it inside
    `{% if is_incremental() %}` in the model itself: unit tests override is_incremental only
    where the model calls it, and replace `this` only where the model names it.
#}
{% macro incremental_cutoff(relation, loaded_at_column='_loaded_at') -%}
    {%- set lookback_hours = var('incremental_lookback_hours', 72) | string | trim -%}
    {%- if not modules.re.match('^[0-9]+$', lookback_hours) -%}
        {{ exceptions.raise_compiler_error(
            "var('incremental_lookback_hours') must be a whole number of hours >= 0, got: "
            ~ lookback_hours
        ) }}
    {%- endif -%}
    (
        select
            coalesce(
                {{ dbt.dateadd('hour', -1 * (lookback_hours | int), 'max(' ~ loaded_at_column ~ ')') }},
                cast('1900-01-01 00:00:00' as {{ dbt.type_timestamp() }})
            )
        from {{ relation }}
    )
{%- endmacro %}
