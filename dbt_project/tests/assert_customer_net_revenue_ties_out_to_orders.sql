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
        sum(gross_revenue_amount) as gross_revenue_amount,
        sum(discount_amount) as discount_amount,
        sum(refunded_amount) as refunded_amount,
        sum(net_revenue_amount) as net_revenue_amount
    from {{ ref('customer_lifetime_value') }}
),

{#
    the orders' money summed per customer and rounded to the cent as the mart rounds it (amounts
    converted from another currency carry 12 decimals), then over all customers: exact, no tolerance
#}
customer_orders as (
    select
        customer_id,
        cast(coalesce(sum(gross_revenue_amount), 0) as decimal(18, 2)) as gross_revenue_amount,
        cast(coalesce(sum(discount_amount), 0) as decimal(18, 2)) as discount_amount,
        cast(coalesce(sum(refunded_amount), 0) as decimal(18, 2)) as refunded_amount,
        cast(coalesce(sum(net_revenue_amount), 0) as decimal(18, 2)) as net_revenue_amount,
        count(*) as order_count
    from {{ ref('int_orders_numbered_per_customer') }}
    where
        counts_as_order
        and order_date <= {{ as_of_date() }}
    group by 1
),

orders as (
    select
        count(*) as customer_count,
        sum(order_count) as order_count,
        sum(gross_revenue_amount) as gross_revenue_amount,
        sum(discount_amount) as discount_amount,
        sum(refunded_amount) as refunded_amount,
        sum(net_revenue_amount) as net_revenue_amount
    from customer_orders
),

mismatches as (
    select
        customers.customer_count as customers_customer_count,
        orders.customer_count as orders_customer_count,
        customers.order_count as customers_order_count,
        orders.order_count as orders_order_count,
        customers.net_revenue_amount as customers_net_revenue_amount,
        orders.net_revenue_amount as orders_net_revenue_amount
    from customers
    cross join orders
    where
        customers.customer_count != orders.customer_count
        or coalesce(customers.order_count, 0) != orders.order_count
        or coalesce(customers.gross_revenue_amount, 0) != coalesce(orders.gross_revenue_amount, 0)
        or coalesce(customers.discount_amount, 0) != coalesce(orders.discount_amount, 0)
        or coalesce(customers.refunded_amount, 0) != coalesce(orders.refunded_amount, 0)
        or coalesce(customers.net_revenue_amount, 0) != coalesce(orders.net_revenue_amount, 0)
)

select * from mismatches
