{#
    The orders RFM is measured on: one row per order that counts (not cancelled, not voided) placed
    on or before as_of_date(). Both RFM marts read it, so the current scores and their monthly
    history stand on the same population (DECISIONS.md, "RFM").
#}
with

orders as (
    select
        order_id,
        customer_id,
        net_revenue_usd,
        order_date,
        order_month
    from {{ ref('int_orders_numbered_per_customer') }}
    where
        counts_as_order
        and order_date <= {{ as_of_date() }}
)

select * from orders
