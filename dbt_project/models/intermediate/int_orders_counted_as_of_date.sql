{#
    The orders the as-of marts measure: one row per order that counts (not cancelled, not voided)
    placed on or before as_of_date(). The customer marts (int_customers_acquired,
    customer_lifetime_value) and the RFM history read it, so value, acquisition and RFM stand on
    the same population (DECISIONS.md).
#}
with

orders as (
    select
        order_id,
        customer_id,
        customer_order_number,
        currency_code,
        gross_revenue_amount,
        discount_amount,
        refunded_amount,
        net_revenue_amount,
        gross_margin_amount,
        order_date,
        order_month,
        ordered_at
    from {{ ref('int_orders_numbered_per_customer') }}
    where
        counts_as_order
        and order_date <= {{ as_of_date() }}
)

select * from orders
