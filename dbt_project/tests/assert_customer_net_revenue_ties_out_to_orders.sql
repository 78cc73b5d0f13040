{# shown in Dagster as a check on the mart it guards #}
{{ config(meta={'dagster': {'ref': {'name': 'customer_lifetime_value'}}}) }}

{#
    Money ties out: customer_lifetime_value sums to the orders that count up to as_of_date() in
    int_orders_numbered_per_customer (net, gross, discounts, refunds and the order count), so
    identity resolution neither loses an order nor counts one twice. Returns a row on a mismatch.
#}
with

customers as (
    select
        count(*) as customer_count,
        sum(order_count) as order_count,
        sum(gross_revenue_usd) as gross_revenue_usd,
        sum(discount_usd) as discount_usd,
        sum(refunded_usd) as refunded_usd,
        sum(net_revenue_usd) as net_revenue_usd
    from {{ ref('customer_lifetime_value') }}
),

orders as (
    select
        count(distinct customer_id) as customer_count,
        count(*) as order_count,
        sum(gross_revenue_usd) as gross_revenue_usd,
        sum(discount_usd) as discount_usd,
        sum(refunded_usd) as refunded_usd,
        sum(net_revenue_usd) as net_revenue_usd
    from {{ ref('int_orders_numbered_per_customer') }}
    where
        counts_as_order
        and order_date <= {{ as_of_date() }}
),

mismatches as (
    select
        customers.customer_count as customers_customer_count,
        orders.customer_count as orders_customer_count,
        customers.order_count as customers_order_count,
        orders.order_count as orders_order_count,
        customers.net_revenue_usd as customers_net_revenue_usd,
        orders.net_revenue_usd as orders_net_revenue_usd
    from customers
    cross join orders
    where
        customers.customer_count != orders.customer_count
        or coalesce(customers.order_count, 0) != orders.order_count
        or coalesce(customers.gross_revenue_usd, 0) != coalesce(orders.gross_revenue_usd, 0)
        or coalesce(customers.discount_usd, 0) != coalesce(orders.discount_usd, 0)
        or coalesce(customers.refunded_usd, 0) != coalesce(orders.refunded_usd, 0)
        or coalesce(customers.net_revenue_usd, 0) != coalesce(orders.net_revenue_usd, 0)
)

select * from mismatches
