{# shown in Dagster as a check on the mart it guards #}
{{ config(meta={'dagster': {'ref': {'name': 'cohort_retention_monthly'}}}) }}

{#
    Money ties out in cohort_retention_monthly: every cell of 'all' equals 'referred' +
    'not_referred' (customers, orders, net revenue), and the cumulative net revenue of a cohort's
    latest cell equals the net revenue of its customers' orders up to that month in
    int_orders_numbered_per_customer. Returns a row per broken cell. Each cell's money is rounded
    to the cent once, so with amounts converted from another currency 'all' may differ from its
    two parts by a cent; anything larger is a broken split.
#}
with

cells as (
    select
        cohort_month,
        acquisition_channel,
        months_since_first_order,
        activity_month,
        cohort_size,
        active_customer_count,
        order_count,
        net_revenue_amount,
        cumulative_net_revenue_amount
    from {{ ref('cohort_retention_monthly') }}
),

customers as (
    select
        customer_id,
        cohort_month
    from {{ ref('customer_lifetime_value') }}
),

orders as (
    select
        customer_id,
        order_month,
        net_revenue_amount
    from {{ ref('int_orders_numbered_per_customer') }}
    where counts_as_order
),

split_sums as (
    select
        cohort_month,
        months_since_first_order,
        sum(case when acquisition_channel = 'all' then cohort_size else -cohort_size end)
            as cohort_size_gap,
        sum(
            case
                when acquisition_channel = 'all' then active_customer_count
                else -active_customer_count
            end
        ) as active_customer_gap,
        sum(case when acquisition_channel = 'all' then order_count else -order_count end)
            as order_gap,
        sum(
            case
                when acquisition_channel = 'all' then net_revenue_amount
                else -net_revenue_amount
            end
        ) as net_revenue_gap
    from cells
    group by 1, 2
),

split_mismatches as (
    select
        cohort_month,
        months_since_first_order,
        'all != referred + not_referred' as broken_rule
    from split_sums
    where
        cohort_size_gap != 0
        or active_customer_gap != 0
        or order_gap != 0
        or abs(net_revenue_gap) > 0.01
),

latest_cells as (
    select
        cohort_month,
        max(months_since_first_order) as months_since_first_order,
        max(activity_month) as activity_month
    from cells
    where acquisition_channel = 'all'
    group by 1
),

cohort_order_revenue as (
    select
        latest_cells.cohort_month,
        latest_cells.months_since_first_order,
        sum(orders.net_revenue_amount) as net_revenue_amount
    from latest_cells
    inner join customers
        on latest_cells.cohort_month = customers.cohort_month
    inner join orders
        on
            customers.customer_id = orders.customer_id
            and latest_cells.activity_month >= orders.order_month
    group by 1, 2
),

cumulative_mismatches as (
    select
        cells.cohort_month,
        cells.months_since_first_order,
        'cumulative net revenue != orders' as broken_rule
    from cells
    inner join cohort_order_revenue
        on
            cells.cohort_month = cohort_order_revenue.cohort_month
            and cells.months_since_first_order = cohort_order_revenue.months_since_first_order
    where
        cells.acquisition_channel = 'all'
        and cells.cumulative_net_revenue_amount
        != cast(cohort_order_revenue.net_revenue_amount as decimal(18, 2))
),

broken as (
    select * from split_mismatches
    union all
    select * from cumulative_mismatches
)

select * from broken
