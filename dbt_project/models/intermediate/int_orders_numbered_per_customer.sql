{#
    One row per order (every order, also cancelled and voided ones): who the customer is, which of
    the customer's orders it is, and what it is worth. The customer is the order's store account,
    else the customer its normalized e-mail belongs to (int_emails_resolved_to_customers), else the
    order alone. Money is in the reporting currency (int_orders_converted_to_reporting_currency;
    null without an exchange rate). Identity, numbering and revenue rules: DECISIONS.md.
#}
{{ config(materialized='table') }}

with

orders as (
    select
        order_id,
        shop_customer_id,
        email_normalized_hash,
        financial_status,
        discount_code,
        referral_token,
        is_cancelled,
        ordered_at,
        delivered_at
    from {{ ref('stg_shop__orders') }}
),

{# money in the reporting currency at the order's rate (null when no rate is known) #}
converted as (
    select
        order_id,
        currency_code,
        fx_rate,
        subtotal_amount,
        discount_amount,
        refunded_amount,
        cost_of_goods_amount,
        line_count,
        costed_line_count
    from {{ ref('int_orders_converted_to_reporting_currency') }}
),

email_customers as (
    select
        email_normalized_hash,
        customer_id
    from {{ ref('int_emails_resolved_to_customers') }}
),

{#
    The e-mail join is an equi-join only: the coalesce already prefers the order's own account,
    and a left-side condition in it (shop_customer_id is null) made DuckDB pick a nested-loop
    join, 500 s at 1M orders against seconds for the hash join.
#}
identified as (
    select
        orders.*,
        converted.currency_code,
        converted.fx_rate,
        converted.subtotal_amount,
        converted.discount_amount,
        converted.refunded_amount,
        converted.cost_of_goods_amount,
        converted.line_count,
        converted.costed_line_count,
        coalesce(
            orders.shop_customer_id,
            email_customers.customer_id,
            {{ dbt.concat(["'guest_order_'", "orders.order_id"]) }}
        ) as customer_id,
        (
            not orders.is_cancelled
            and coalesce(orders.financial_status, '') != 'voided'
        ) as counts_as_order
    from orders
    left join converted
        on orders.order_id = converted.order_id
    left join email_customers
        on orders.email_normalized_hash = email_customers.email_normalized_hash
),

{# refunds come off net revenue, which never goes below 0; tax and shipping are not revenue #}
valued as (
    select
        *,
        case
            when not counts_as_order then 0
            when subtotal_amount < discount_amount + refunded_amount then 0
            else subtotal_amount - discount_amount - refunded_amount
        end as net_revenue_amount
    from identified
),

numbered as (
    select
        valued.*,
        case
            when valued.counts_as_order
                then row_number() over (
                    partition by valued.customer_id, valued.counts_as_order
                    order by valued.ordered_at, valued.order_id
                )
        end as customer_order_number,
        {{ to_reporting_timezone('valued.ordered_at') }} as ordered_at_local
    from valued
),

final as (
    select
        -- ids
        order_id,
        customer_id,
        shop_customer_id,
        email_normalized_hash,

        -- strings
        currency_code,
        discount_code,
        referral_token,

        -- numerics, money in the reporting currency unrounded (DECISIONS.md, "Currency")
        cast(customer_order_number as {{ dbt.type_int() }}) as customer_order_number,
        cast(subtotal_amount as decimal(30, 12)) as gross_revenue_amount,
        cast(discount_amount as decimal(30, 12)) as discount_amount,
        cast(refunded_amount as decimal(30, 12)) as refunded_amount,
        cast(net_revenue_amount as decimal(30, 12)) as net_revenue_amount,
        cast(
            case
                when not counts_as_order then 0
                when line_count = 0 or costed_line_count < line_count then null
                else net_revenue_amount - cost_of_goods_amount
            end as decimal(30, 12)
        ) as gross_margin_amount,
        fx_rate,

        -- booleans
        is_cancelled,
        counts_as_order,
        coalesce(customer_order_number = 1, false) as is_first_order,

        -- dates
        cast(ordered_at_local as date) as order_date,
        cast({{ dbt.date_trunc('month', 'ordered_at_local') }} as date) as order_month,

        -- timestamps
        ordered_at,
        ordered_at_local,
        delivered_at
    from numbered
)

select * from final
