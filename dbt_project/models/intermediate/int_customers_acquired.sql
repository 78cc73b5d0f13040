{#
    One row per customer with an order that counts on or before as_of_date(): the first such order,
    which acquired them, and how. Referred when that order is referral-linked
    (int_orders_joined_to_referrals.is_referral_linked), with that order's referrer; later
    referral-linked orders do not change it (DECISIONS.md, "When a customer is acquired").
#}
with

first_orders as (
    select
        order_id,
        customer_id,
        order_date,
        order_month,
        ordered_at
    from {{ ref('int_orders_counted_as_of_date') }}
    where customer_order_number = 1
),

order_referrals as (
    select
        order_id,
        referrer_customer_id,
        is_referral_linked
    from {{ ref('int_orders_joined_to_referrals') }}
),

referred as (
    select
        first_orders.*,
        case
            when order_referrals.is_referral_linked then order_referrals.referrer_customer_id
        end as referrer_customer_id,
        case
            when order_referrals.is_referral_linked then 'referred' else 'not_referred'
        end as acquisition_channel
    from first_orders
    left join order_referrals
        on first_orders.order_id = order_referrals.order_id
),

acquired as (
    select
        -- ids
        customer_id,
        order_id as first_order_id,
        referrer_customer_id,

        -- strings
        acquisition_channel,

        -- dates
        order_date as first_order_date,
        order_month as cohort_month,

        -- timestamps
        ordered_at as first_ordered_at
    from referred
)

select * from acquired
