{#
    One row per order, its current version (raw_shop.orders already keeps the latest updated_at).
    Money is in the store's currency only, var('store_currency') (default USD, whose name the *_usd
    columns still carry): they are null for an order in another currency (there are no exchange
    rates in the warehouse), and a warn-level test on currency_code says when that happens.
    Incremental (DECISIONS.md, "Incremental models"): a run re-reads the orders loaded since the
    newest _loaded_at it holds, minus the lookback, and merges them on order_id; the loader
    rewrites an order's row, with a new _loaded_at, whenever its current version changes.
#}
{%- set store_currency = var('store_currency', 'USD') | string | trim | upper -%}
{%- if not modules.re.match('^[A-Z]{3}$', store_currency) -%}
    {{ exceptions.raise_compiler_error(
        "var('store_currency') must be an ISO 4217 code, got: " ~ store_currency
    ) }}
{%- endif -%}
{%- set in_store_currency = "upper(trim(currency)) = '" ~ store_currency ~ "'" -%}

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

        -- money, in the store's currency only
        case
            when {{ in_store_currency }} then cast(subtotal as decimal(18, 2))
        end as subtotal_usd,
        case
            when {{ in_store_currency }} then cast(discount_total as decimal(18, 2))
        end as discount_usd,
        case
            when {{ in_store_currency }} then cast(shipping_total as decimal(18, 2))
        end as shipping_usd,
        case
            when {{ in_store_currency }} then cast(tax_total as decimal(18, 2))
        end as tax_usd,
        case
            when {{ in_store_currency }} then cast(total as decimal(18, 2))
        end as total_usd,
        {# cumulative amount refunded so far, as of the current version #}
        case
            when {{ in_store_currency }} then cast(refunded_total as decimal(18, 2))
        end as refunded_usd,

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
