{#
    One row per customer and month end, from the month of the customer's first order that counts
    to the as-of month (int_months_enumerated): everything the customer had bought by
    snapshot_date, the month's last day or the as-of date in the as-of month. Orders are summed
    per customer and month once, then carried forward with running windows: the cost grows with
    customers x months, not orders x months (DECISIONS.md, "RFM history").
#}
with

orders as (
    select
        customer_id,
        net_revenue_amount,
        order_date,
        order_month
    from {{ ref('int_orders_counted_as_of_date') }}
),

months as (
    select
        calendar_month,
        observed_through_date
    from {{ ref('int_months_enumerated') }}
),

customer_month_orders as (
    select
        customer_id,
        order_month,
        count(*) as order_count,
        sum(net_revenue_amount) as net_revenue_amount,
        max(order_date) as last_order_date
    from orders
    group by 1, 2
),

customer_first_months as (
    select
        customer_id,
        min(order_month) as first_month
    from customer_month_orders
    group by 1
),

customer_months as (
    select
        customer_first_months.customer_id,
        months.calendar_month as snapshot_month,
        months.observed_through_date as snapshot_date
    from customer_first_months
    inner join months
        on customer_first_months.first_month <= months.calendar_month
),

{# running totals: everything the customer bought up to each month end #}
cumulative as (
    select
        customer_months.customer_id,
        customer_months.snapshot_month,
        customer_months.snapshot_date,
        {{ reporting_currency_code() }} as currency_code,
        sum(coalesce(customer_month_orders.order_count, 0)) over (
            partition by customer_months.customer_id
            order by customer_months.snapshot_month
            rows between unbounded preceding and current row
        ) as order_count,
        sum(coalesce(customer_month_orders.net_revenue_amount, 0)) over (
            partition by customer_months.customer_id
            order by customer_months.snapshot_month
            rows between unbounded preceding and current row
        ) as net_revenue_amount,
        max(customer_month_orders.last_order_date) over (
            partition by customer_months.customer_id
            order by customer_months.snapshot_month
            rows between unbounded preceding and current row
        ) as last_order_date
    from customer_months
    left join customer_month_orders
        on
            customer_months.customer_id = customer_month_orders.customer_id
            and customer_months.snapshot_month = customer_month_orders.order_month
)

select * from cumulative
