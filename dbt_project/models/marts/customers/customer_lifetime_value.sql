{#
    One row per customer with an order that counts on or before as_of_date(): value to date,
    order rhythm, net revenue in fixed windows after the first order (null until the window has
    fully passed) and how the customer was acquired. Revenue rules: DECISIONS.md.
#}
with

orders as (
    select
        order_id,
        customer_id,
        customer_order_number,
        gross_revenue_usd,
        discount_usd,
        refunded_usd,
        net_revenue_usd,
        gross_margin_usd,
        order_date,
        order_month,
        ordered_at
    from {{ ref('int_orders_numbered_per_customer') }}
    where counts_as_order
),

order_referrals as (
    select
        order_id,
        referrer_customer_id,
        is_referral_linked
    from {{ ref('int_orders_joined_to_referrals') }}
),

as_of as (
    select {{ as_of_date() }} as as_of_date
),

{# orders placed after as_of_date are not known yet at as_of_date #}
observed_orders as (
    select
        orders.order_id,
        orders.customer_id,
        orders.customer_order_number,
        orders.gross_revenue_usd,
        orders.discount_usd,
        orders.refunded_usd,
        orders.net_revenue_usd,
        orders.gross_margin_usd,
        orders.order_date,
        orders.order_month,
        orders.ordered_at,
        as_of.as_of_date
    from orders
    cross join as_of
    where orders.order_date <= as_of.as_of_date
),

{# a customer is acquired by their first order that counts #}
first_orders as (
    select
        observed_orders.customer_id,
        observed_orders.order_id as first_order_id,
        observed_orders.order_date as first_order_date,
        observed_orders.order_month as cohort_month,
        observed_orders.ordered_at as first_ordered_at,
        observed_orders.as_of_date,
        {{ dbt.datediff('observed_orders.order_date', 'observed_orders.as_of_date', 'day') }}
            as days_observed,
        order_referrals.referrer_customer_id,
        coalesce(order_referrals.is_referral_linked, false) as is_referred
    from observed_orders
    left join order_referrals
        on observed_orders.order_id = order_referrals.order_id
    where observed_orders.customer_order_number = 1
),

{# days_after_first_order: 0 on the day of the first order, in the reporting time zone #}
orders_after_first as (
    select
        observed_orders.customer_id,
        observed_orders.net_revenue_usd,
        {{ dbt.datediff('first_orders.first_order_date', 'observed_orders.order_date', 'day') }}
            as days_after_first_order
    from observed_orders
    inner join first_orders
        on observed_orders.customer_id = first_orders.customer_id
),

window_revenue as (
    select
        customer_id,
        sum(case when days_after_first_order <= 30 then net_revenue_usd else 0 end)
            as net_revenue_first_30d_usd,
        sum(case when days_after_first_order <= 90 then net_revenue_usd else 0 end)
            as net_revenue_first_90d_usd,
        sum(case when days_after_first_order <= 180 then net_revenue_usd else 0 end)
            as net_revenue_first_180d_usd,
        sum(case when days_after_first_order <= 365 then net_revenue_usd else 0 end)
            as net_revenue_first_365d_usd
    from orders_after_first
    group by 1
),

customer_totals as (
    select
        customer_id,
        count(*) as order_count,
        count(gross_margin_usd) as costed_order_count,
        sum(gross_revenue_usd) as gross_revenue_usd,
        sum(discount_usd) as discount_usd,
        sum(refunded_usd) as refunded_usd,
        sum(net_revenue_usd) as net_revenue_usd,
        sum(gross_margin_usd) as gross_margin_usd,
        max(order_date) as last_order_date,
        max(ordered_at) as last_ordered_at
    from observed_orders
    group by 1
),

customers as (
    select
        -- ids
        first_orders.customer_id,
        first_orders.first_order_id,
        case when first_orders.is_referred then first_orders.referrer_customer_id end
            as referrer_customer_id,

        -- strings
        case when first_orders.is_referred then 'referred' else 'not_referred' end
            as acquisition_channel,

        -- numerics
        cast(customer_totals.order_count as {{ dbt.type_int() }}) as order_count,
        cast(customer_totals.costed_order_count as {{ dbt.type_int() }}) as costed_order_count,
        cast(customer_totals.gross_revenue_usd as decimal(18, 2)) as gross_revenue_usd,
        cast(customer_totals.discount_usd as decimal(18, 2)) as discount_usd,
        cast(customer_totals.refunded_usd as decimal(18, 2)) as refunded_usd,
        cast(customer_totals.net_revenue_usd as decimal(18, 2)) as net_revenue_usd,
        cast(customer_totals.gross_margin_usd as decimal(18, 2)) as gross_margin_usd,
        cast(
            customer_totals.net_revenue_usd / customer_totals.order_count as decimal(18, 2)
        ) as average_order_value_usd,
        cast(
            case
                when first_orders.days_observed >= 30
                    then window_revenue.net_revenue_first_30d_usd
            end as decimal(18, 2)
        ) as net_revenue_first_30d_usd,
        cast(
            case
                when first_orders.days_observed >= 90
                    then window_revenue.net_revenue_first_90d_usd
            end as decimal(18, 2)
        ) as net_revenue_first_90d_usd,
        cast(
            case
                when first_orders.days_observed >= 180
                    then window_revenue.net_revenue_first_180d_usd
            end as decimal(18, 2)
        ) as net_revenue_first_180d_usd,
        cast(
            case
                when first_orders.days_observed >= 365
                    then window_revenue.net_revenue_first_365d_usd
            end as decimal(18, 2)
        ) as net_revenue_first_365d_usd,
        cast(first_orders.days_observed as {{ dbt.type_int() }}) as tenure_days,
        cast(
            case
                when customer_totals.order_count > 1
                    then 1.0 * {{ dbt.datediff(
                        'first_orders.first_order_date', 'customer_totals.last_order_date', 'day'
                    ) }} / (customer_totals.order_count - 1)
            end as decimal(18, 2)
        ) as average_days_between_orders,

        -- booleans
        customer_totals.order_count > 1 as is_repeat_customer,

        -- dates
        first_orders.cohort_month,
        first_orders.first_order_date,
        customer_totals.last_order_date,
        first_orders.as_of_date,

        -- timestamps
        first_orders.first_ordered_at,
        customer_totals.last_ordered_at
    from first_orders
    inner join customer_totals
        on first_orders.customer_id = customer_totals.customer_id
    inner join window_revenue
        on first_orders.customer_id = window_revenue.customer_id
)

select * from customers
