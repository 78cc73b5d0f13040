{#
    The referral funnel, one row per month from the first referral activity (a code issued, an ask
    sent or a referral event) to the as-of month: asks sent (and sent after delivery, as the flow
    intends), opened and clicked, links shared and clicked, sign-ups, rewards, referred first
    orders. A message is counted in the month it was sent (DECISIONS.md).
#}
with

ask_events as (
    select
        message_id,
        order_id,
        event_type,
        occurred_at
    from {{ ref('stg_messaging__message_events') }}
    where flow = 'post_purchase_referral_ask'
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

orders as (
    select
        order_id,
        delivered_at
    from {{ ref('int_orders_numbered_per_customer') }}
),

referred_first_orders as (
    select order_month
    from {{ ref('int_orders_joined_to_referrals') }}
    where
        is_referred_first_order
        and order_date <= {{ as_of_date() }}
),

{# one row per ask message: when it went out, and whether it was ever opened or clicked #}
asks as (
    select
        message_id,
        max(order_id) as order_id,
        min(case when event_type = 'sent' then occurred_at end) as sent_at,
        min(occurred_at) as first_event_at,
        max(case when event_type = 'opened' then 1 else 0 end) as opened_flag,
        max(case when event_type = 'clicked' then 1 else 0 end) as clicked_flag
    from ask_events
    group by 1
),

asks_dated as (
    select
        asks.message_id,
        asks.opened_flag,
        asks.clicked_flag,
        case when asks.sent_at is not null then 1 else 0 end as sent_flag,
        case
            when asks.sent_at >= orders.delivered_at then 1 else 0
        end as sent_after_delivery_flag,
        cast({{ to_reporting_timezone('coalesce(asks.sent_at, asks.first_event_at)') }} as date)
            as activity_date
    from asks
    left join orders
        on asks.order_id = orders.order_id
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
        sum(sent_flag) as referral_ask_sent_count,
        sum(sent_after_delivery_flag) as referral_ask_sent_after_delivery_count,
        sum(opened_flag) as referral_ask_opened_count,
        sum(clicked_flag) as referral_ask_clicked_count
    from asks_dated
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

first_activity_months as (
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

bounds as (
    select
        {{ as_of_date() }} as as_of_date,
        min(activity_month) as first_month,
        cast({{ dbt.date_trunc('month', as_of_date()) }} as date) as last_month
    from first_activity_months
),

month_offsets as (
    {{ month_offsets() }}
),

months as (
    select
        bounds.as_of_date,
        cast(
            {{ dbt.dateadd('month', 'month_offsets.month_offset', 'bounds.first_month') }} as date
        ) as activity_month
    from bounds
    cross join month_offsets
    where
        bounds.first_month is not null
        and month_offsets.month_offset
        <= {{ dbt.datediff('bounds.first_month', 'bounds.last_month', 'month') }}
),

final as (
    select
        months.activity_month,
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
        months.as_of_date >= cast({{ dbt.last_day('months.activity_month', 'month') }} as date)
            as is_month_complete
    from months
    left join monthly_asks
        on months.activity_month = monthly_asks.activity_month
    left join monthly_referral_events
        on months.activity_month = monthly_referral_events.activity_month
    left join monthly_first_orders
        on months.activity_month = monthly_first_orders.activity_month
)

select * from final
