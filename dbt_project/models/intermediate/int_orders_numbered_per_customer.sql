{#
    One row per order (every order, also cancelled and voided ones): who the customer is, which of
    the customer's orders it is, and what it is worth. The customer is the order's store account,
    else the customer its normalized e-mail belongs to (int_emails_resolved_to_customers), else the
    order alone. Identity, numbering and revenue rules are in DECISIONS.md and the column docs.
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
        subtotal_usd,
        discount_usd,
        refunded_usd,
        is_cancelled,
        ordered_at,
        delivered_at
    from {{ ref('stg_shop__orders') }}
),

order_lines as (
    select
        order_id,
        line_cost_usd
    from {{ ref('stg_shop__order_lines') }}
),

email_customers as (
    select
        email_normalized_hash,
        customer_id
    from {{ ref('int_emails_resolved_to_customers') }}
),

{# the cost of goods of an order is known only when every one of its lines has a unit cost #}
order_costs as (
    select
        order_id,
        sum(line_cost_usd) as cost_of_goods_usd,
        count(*) as line_count,
        count(line_cost_usd) as costed_line_count
    from order_lines
    group by 1
),

{#
    The e-mail join is an equi-join only: the coalesce already prefers the order's own account,
    and a left-side condition in it (shop_customer_id is null) made DuckDB pick a nested-loop
    join, 500 s at 1M orders against seconds for the hash join.
#}
identified as (
    select
        orders.*,
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
    left join email_customers
        on orders.email_normalized_hash = email_customers.email_normalized_hash
),

{# refunds come off net revenue, which never goes below 0; tax and shipping are not revenue #}
valued as (
    select
        identified.*,
        order_costs.cost_of_goods_usd,
        coalesce(order_costs.line_count, 0) as line_count,
        coalesce(order_costs.costed_line_count, 0) as costed_line_count,
        case
            when not identified.counts_as_order then 0
            when
                identified.subtotal_usd - identified.discount_usd - identified.refunded_usd < 0
                then 0
            else identified.subtotal_usd - identified.discount_usd - identified.refunded_usd
        end as net_revenue_usd
    from identified
    left join order_costs
        on identified.order_id = order_costs.order_id
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
        discount_code,
        referral_token,

        -- numerics
        cast(customer_order_number as {{ dbt.type_int() }}) as customer_order_number,
        cast(subtotal_usd as decimal(18, 2)) as gross_revenue_usd,
        cast(discount_usd as decimal(18, 2)) as discount_usd,
        cast(refunded_usd as decimal(18, 2)) as refunded_usd,
        cast(net_revenue_usd as decimal(18, 2)) as net_revenue_usd,
        cast(
            case
                when not counts_as_order then 0
                when line_count = 0 or costed_line_count < line_count then null
                else net_revenue_usd - cost_of_goods_usd
            end as decimal(18, 2)
        ) as gross_margin_usd,

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
