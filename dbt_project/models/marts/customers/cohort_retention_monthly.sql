{#
    One row per cohort month x acquisition channel ('all', 'referred', 'not_referred') x months
    since the first order, for every month that has fully ended by as_of_date() (right-censored:
    the running month has no row yet; int_months_enumerated). Refunds stay in the month of their
    order.
#}
with

customers as (
    select
        customer_id,
        acquisition_channel,
        cohort_month
    from {{ ref('customer_lifetime_value') }}
),

orders as (
    select
        customer_id,
        net_revenue_amount,
        order_month
    from {{ ref('int_orders_numbered_per_customer') }}
    where counts_as_order
),

{# a cell exists once its calendar month has ended: its last day <= as_of_date #}
months as (
    select
        calendar_month,
        as_of_date
    from {{ ref('int_months_enumerated') }}
    where is_month_complete
),

{# every customer twice: in their own channel and in 'all' #}
customer_channels as (
    {{ own_channel_and_all('customers', ['customer_id', 'cohort_month']) }}
),

cohorts as (
    select
        cohort_month,
        acquisition_channel,
        count(*) as cohort_size
    from customer_channels
    group by 1, 2
),

cells as (
    select
        cohorts.cohort_month,
        cohorts.acquisition_channel,
        cohorts.cohort_size,
        months.calendar_month as activity_month,
        months.as_of_date,
        {{ dbt.datediff('cohorts.cohort_month', 'months.calendar_month', 'month') }}
            as months_since_first_order
    from cohorts
    inner join months
        on cohorts.cohort_month <= months.calendar_month
),

activity as (
    select
        customer_channels.cohort_month,
        customer_channels.acquisition_channel,
        {{ dbt.datediff('customer_channels.cohort_month', 'orders.order_month', 'month') }}
            as months_since_first_order,
        count(distinct customer_channels.customer_id) as active_customer_count,
        count(*) as order_count,
        sum(orders.net_revenue_amount) as net_revenue_amount
    from customer_channels
    inner join orders
        on customer_channels.customer_id = orders.customer_id
    group by 1, 2, 3
),

filled as (
    select
        cells.cohort_month,
        cells.acquisition_channel,
        cells.months_since_first_order,
        cells.cohort_size,
        cells.activity_month,
        cells.as_of_date,
        coalesce(activity.active_customer_count, 0) as active_customer_count,
        coalesce(activity.order_count, 0) as order_count,
        coalesce(activity.net_revenue_amount, 0) as net_revenue_amount
    from cells
    left join activity
        on
            cells.cohort_month = activity.cohort_month
            and cells.acquisition_channel = activity.acquisition_channel
            and cells.months_since_first_order = activity.months_since_first_order
),

cumulated as (
    select
        cohort_month,
        acquisition_channel,
        months_since_first_order,
        cohort_size,
        activity_month,
        as_of_date,
        active_customer_count,
        order_count,
        net_revenue_amount,
        sum(net_revenue_amount) over (
            partition by cohort_month, acquisition_channel
            order by months_since_first_order
            rows between unbounded preceding and current row
        ) as cumulative_net_revenue_amount
    from filled
),

final as (
    select
        -- strings
        acquisition_channel,
        {{ reporting_currency_code() }} as currency_code,

        -- numerics
        cast(months_since_first_order as {{ dbt.type_int() }}) as months_since_first_order,
        cast(cohort_size as {{ dbt.type_int() }}) as cohort_size,
        cast(active_customer_count as {{ dbt.type_int() }}) as active_customer_count,
        cast(order_count as {{ dbt.type_int() }}) as order_count,
        cast(net_revenue_amount as decimal(18, 2)) as net_revenue_amount,
        cast(cumulative_net_revenue_amount as decimal(18, 2)) as cumulative_net_revenue_amount,
        cast(
            cumulative_net_revenue_amount / cohort_size as decimal(18, 2)
        ) as cumulative_net_revenue_per_customer_amount,
        cast(1.0 * active_customer_count / cohort_size as decimal(18, 4)) as retention_rate,

        -- dates
        cohort_month,
        activity_month,
        as_of_date
    from cumulated
)

select * from final
