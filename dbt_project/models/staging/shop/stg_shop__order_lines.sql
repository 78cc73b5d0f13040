{#
    One row per line item of the current version of an order. Prices are in the order's currency,
    which the warehouse only accepts as USD (stg_shop__orders); unit_cost is null when unknown.
#}
with

order_lines as (
    select
        order_id,
        line_number,
        product_id,
        product_type,
        quantity,
        unit_price,
        unit_cost
    from {{ source('shop', 'order_lines') }}
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

        -- money, USD
        cast(unit_price as decimal(18, 2)) as unit_price_usd,
        cast(unit_cost as decimal(18, 2)) as unit_cost_usd,
        cast(quantity * unit_price as decimal(18, 2)) as line_revenue_usd,
        cast(quantity * unit_cost as decimal(18, 2)) as line_cost_usd
    from order_lines
)

select * from renamed
