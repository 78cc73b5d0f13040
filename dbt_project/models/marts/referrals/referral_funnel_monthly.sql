{#
    The referral funnel, one row per month from the first referral activity (a code issued, an ask
    sent or a referral event) to the as-of month: asks sent (and sent after delivery, as the flow
    intends), opened and clicked, links shared and clicked, sign-ups, rewards, referred first
    orders. A message is counted in the month it was sent (DECISIONS.md).
#}
with

asks as (
    select
        is_sent,
        is_sent_after_delivery,
        is_opened,
        is_clicked,
        activity_date
    from {{ ref('int_referral_asks_joined_to_orders') }}
),

referral_events as (
    select
        event_type,
        occurred_at
    from {{ ref('stg_referrals__referral_events') }}
),

referral_codes as (
    select issued_at
    from {{ ref('stg_referrals__referral_codes') }}
),

months as (
    select
        calendar_month,
        is_month_complete
    from {{ ref('int_months_enumerated') }}
),

referred_first_orders as (
    select order_month
    from {{ ref('int_orders_joined_to_referrals') }}
    where
        is_referred_first_order
        and order_date <= {{ as_of_date() }}
),

referral_events_dated as (
    select
        event_type,
        cast({{ to_reporting_timezone('occurred_at') }} as date) as activity_date
    from referral_events
),

monthly_asks as (
    select
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date) as activity_month,
        sum(case when is_sent then 1 else 0 end) as referral_ask_sent_count,
        sum(case when is_sent_after_delivery then 1 else 0 end)
            as referral_ask_sent_after_delivery_count,
        sum(case when is_opened then 1 else 0 end) as referral_ask_opened_count,
        sum(case when is_clicked then 1 else 0 end) as referral_ask_clicked_count
    from asks
    where activity_date <= {{ as_of_date() }}
    group by 1
),

monthly_referral_events as (
    select
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date) as activity_month,
        sum(case when event_type = 'shared' then 1 else 0 end) as referral_share_count,
        sum(case when event_type = 'clicked' then 1 else 0 end) as referral_link_click_count,
        sum(case when event_type = 'signed_up' then 1 else 0 end) as referral_sign_up_count,
        sum(case when event_type = 'reward_issued' then 1 else 0 end)
            as referral_reward_issued_count
    from referral_events_dated
    where activity_date <= {{ as_of_date() }}
    group by 1
),

monthly_first_orders as (
    select
        order_month as activity_month,
        count(*) as referred_first_order_count
    from referred_first_orders
    group by 1
),

first_activities as (
    select
        cast({{ dbt.date_trunc('month', to_reporting_timezone('min(issued_at)')) }} as date)
            as activity_month
    from referral_codes
    union all
    select min(activity_month) as activity_month
    from monthly_asks
    union all
    select min(activity_month) as activity_month
    from monthly_referral_events
),

{# every month from the first referral activity (on or after any first = the earliest) on #}
activity_months as (
    select distinct
        months.calendar_month as activity_month,
        months.is_month_complete
    from months
    inner join first_activities
        on months.calendar_month >= first_activities.activity_month
),

final as (
    select
        activity_months.activity_month,
        cast(coalesce(monthly_asks.referral_ask_sent_count, 0) as integer)
            as referral_ask_sent_count,
        cast(coalesce(monthly_asks.referral_ask_sent_after_delivery_count, 0) as integer)
            as referral_ask_sent_after_delivery_count,
        cast(coalesce(monthly_asks.referral_ask_opened_count, 0) as integer)
            as referral_ask_opened_count,
        cast(coalesce(monthly_asks.referral_ask_clicked_count, 0) as integer)
            as referral_ask_clicked_count,
        cast(coalesce(monthly_referral_events.referral_share_count, 0) as integer)
            as referral_share_count,
        cast(coalesce(monthly_referral_events.referral_link_click_count, 0) as integer)
            as referral_link_click_count,
        cast(coalesce(monthly_referral_events.referral_sign_up_count, 0) as integer)
            as referral_sign_up_count,
        cast(coalesce(monthly_referral_events.referral_reward_issued_count, 0) as integer)
            as referral_reward_issued_count,
        cast(coalesce(monthly_first_orders.referred_first_order_count, 0) as integer)
            as referred_first_order_count,
        cast(
            case
                when monthly_asks.referral_ask_sent_count > 0
                    then
                        cast(monthly_asks.referral_ask_sent_after_delivery_count as decimal(18, 4))
                        / monthly_asks.referral_ask_sent_count
            end as decimal(18, 4)
        ) as referral_ask_sent_after_delivery_rate,
        activity_months.is_month_complete
    from activity_months
    left join monthly_asks
        on activity_months.activity_month = monthly_asks.activity_month
    left join monthly_referral_events
        on activity_months.activity_month = monthly_referral_events.activity_month
    left join monthly_first_orders
        on activity_months.activity_month = monthly_first_orders.activity_month
)

select * from final
