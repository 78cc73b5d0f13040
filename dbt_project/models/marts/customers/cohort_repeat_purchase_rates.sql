{#
    One row per cohort month x acquisition channel ('all', 'referred', 'not_referred'): the share
    of the cohort's customers whose second order came within 30, 60 and 90 days of their first.
    A rate stays null until every customer of the cohort has had the whole window by
    as_of_date(): the cohort's last first order + N days <= as_of_date.
#}
with

customers as (
    select
        customer_id,
        acquisition_channel,
        cohort_month,
        first_order_date
    from {{ ref('customer_lifetime_value') }}
),

second_orders as (
    select
        customer_id,
        order_date as second_order_date
    from {{ ref('int_orders_numbered_per_customer') }}
    where customer_order_number = 2
),

as_of as (
    select {{ as_of_date() }} as as_of_date
),

{# days from the first to the second order (reporting time zone dates); null without one yet #}
customer_repeats as (
    select
        customers.customer_id,
        customers.acquisition_channel,
        customers.cohort_month,
        customers.first_order_date,
        {{ dbt.datediff('customers.first_order_date', 'second_orders.second_order_date', 'day') }}
            as days_to_second_order
    from customers
    cross join as_of
    left join second_orders
        on
            customers.customer_id = second_orders.customer_id
            and as_of.as_of_date >= second_orders.second_order_date
),

{# every customer twice: in their own channel and in 'all' #}
customer_channels as (
    {{ own_channel_and_all(
        'customer_repeats',
        ['customer_id', 'cohort_month', 'first_order_date', 'days_to_second_order'],
    ) }}
),

cohorts as (
    select
        cohort_month,
        acquisition_channel,
        count(*) as cohort_size,
        max(first_order_date) as last_first_order_date,
        sum(case when days_to_second_order <= 30 then 1 else 0 end) as repeat_customer_count_30d,
        sum(case when days_to_second_order <= 60 then 1 else 0 end) as repeat_customer_count_60d,
        sum(case when days_to_second_order <= 90 then 1 else 0 end) as repeat_customer_count_90d
    from customer_channels
    group by 1, 2
),

{# days the cohort's last customer has been observed since their first order #}
observed as (
    select
        cohorts.*,
        as_of.as_of_date,
        {{ dbt.datediff('cohorts.last_first_order_date', 'as_of.as_of_date', 'day') }}
            as days_observed
    from cohorts
    cross join as_of
),

final as (
    select
        -- strings
        acquisition_channel,

        -- numerics
        cast(cohort_size as {{ dbt.type_int() }}) as cohort_size,
        cast(
            case when days_observed >= 30 then repeat_customer_count_30d end
            as {{ dbt.type_int() }}
        ) as repeat_customer_count_30d,
        cast(
            case when days_observed >= 60 then repeat_customer_count_60d end
            as {{ dbt.type_int() }}
        ) as repeat_customer_count_60d,
        cast(
            case when days_observed >= 90 then repeat_customer_count_90d end
            as {{ dbt.type_int() }}
        ) as repeat_customer_count_90d,
        cast(
            case when days_observed >= 30 then 1.0 * repeat_customer_count_30d / cohort_size end
            as decimal(18, 4)
        ) as repeat_purchase_rate_30d,
        cast(
            case when days_observed >= 60 then 1.0 * repeat_customer_count_60d / cohort_size end
            as decimal(18, 4)
        ) as repeat_purchase_rate_60d,
        cast(
            case when days_observed >= 90 then 1.0 * repeat_customer_count_90d / cohort_size end
            as decimal(18, 4)
        ) as repeat_purchase_rate_90d,

        -- dates
        cohort_month,
        last_first_order_date,
        as_of_date
    from observed
)

select * from final
