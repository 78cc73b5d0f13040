{#
    One row per line item of the current version of an order. Prices and costs are in the order's
    currency (stg_shop__orders.currency_code: staging does not join, so the lines carry no currency
    column of their own); unit_cost is null when unknown.
    Incremental (DECISIONS.md, "Incremental models"): the loader replaces every line of an order
    whose current version changes, all with one new _loaded_at, so a run re-reads the lines loaded
    since its newest _loaded_at minus the lookback and replaces them per order_id (not per line:
    a new version with fewer lines must drop the old extra lines).
#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='order_id',
    on_schema_change='fail',
) }}

with

order_lines as (
    select
        order_id,
        line_number,
        product_id,
        product_type,
        quantity,
        unit_price,
        unit_cost,
        _loaded_at
    from {{ source('shop', 'order_lines') }}
    {% if is_incremental() %}
        where _loaded_at >= {{ incremental_cutoff(this) }}
    {% endif %}
),

renamed as (
    select
        -- ids
        {{ dbt.concat([
            "cast(order_id as " ~ dbt.type_string() ~ ")",
            "'-'",
            "cast(line_number as " ~ dbt.type_string() ~ ")",
        ]) }} as order_line_id,
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        cast(product_id as {{ dbt.type_string() }}) as product_id,

        -- strings
        lower(trim(product_type)) as product_type,

        -- numerics
        cast(line_number as {{ dbt.type_int() }}) as line_number,
        cast(quantity as {{ dbt.type_int() }}) as quantity,

        -- money, in the order's currency
        cast(unit_price as decimal(18, 2)) as unit_price_amount,
        cast(unit_cost as decimal(18, 2)) as unit_cost_amount,
        cast(quantity * unit_price as decimal(18, 2)) as line_revenue_amount,
        cast(quantity * unit_cost as decimal(18, 2)) as line_cost_amount,

        -- loader
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as _loaded_at
    from order_lines
)

select * from renamed
