{#
    One row per order, its current version (raw_shop.orders already keeps the latest updated_at).
    Money stays in the order's own currency, currency_code: staging never joins, and converting
    here would freeze a missing exchange rate into this incremental table. The reporting-currency
    amounts are worked out in int_orders_converted_to_reporting_currency (DECISIONS.md,
    "Currency").
    Incremental (DECISIONS.md, "Incremental models"): a run re-reads the orders loaded since the
    newest _loaded_at it holds, minus the lookback, and merges them on order_id; the loader
    rewrites an order's row, with a new _loaded_at, whenever its current version changes.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key='order_id',
    on_schema_change='fail',
) }}

with

orders as (
    select
        order_id,
        customer_id,
        email,
        currency,
        financial_status,
        fulfillment_status,
        discount_code,
        referral_token,
        subtotal,
        discount_total,
        shipping_total,
        tax_total,
        total,
        refunded_total,
        created_at,
        updated_at,
        fulfilled_at,
        delivered_at,
        cancelled_at,
        _loaded_at
    from {{ source('shop', 'orders') }}
    {% if is_incremental() %}
        where _loaded_at >= {{ incremental_cutoff(this) }}
    {% endif %}
),

renamed as (
    select
        -- ids
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        cast(nullif(trim(customer_id), '') as {{ dbt.type_string() }}) as shop_customer_id,

        -- personal data, hashed
        {{ hash_pii('email') }} as email_hash,
        {{ hash_pii(normalize_email('email')) }} as email_normalized_hash,

        -- strings
        upper(trim(currency)) as currency_code,
        lower(trim(financial_status)) as financial_status,
        lower(trim(fulfillment_status)) as fulfillment_status,
        nullif(upper(trim(discount_code)), '') as discount_code,
        nullif(trim(referral_token), '') as referral_token,

        -- money, in the order's currency (currency_code)
        cast(subtotal as decimal(18, 2)) as subtotal_amount,
        cast(discount_total as decimal(18, 2)) as discount_amount,
        cast(shipping_total as decimal(18, 2)) as shipping_amount,
        cast(tax_total as decimal(18, 2)) as tax_amount,
        cast(total as decimal(18, 2)) as total_amount,
        {# cumulative amount refunded so far, as of the current version #}
        cast(refunded_total as decimal(18, 2)) as refunded_amount,

        -- booleans
        cancelled_at is not null as is_cancelled,

        -- timestamps, UTC
        cast(created_at as {{ dbt.type_timestamp() }}) as ordered_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        cast(fulfilled_at as {{ dbt.type_timestamp() }}) as fulfilled_at,
        cast(delivered_at as {{ dbt.type_timestamp() }}) as delivered_at,
        cast(cancelled_at as {{ dbt.type_timestamp() }}) as cancelled_at,

        -- loader
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as _loaded_at
    from orders
)

select * from renamed
