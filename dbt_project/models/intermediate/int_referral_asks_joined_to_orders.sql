{#
    One row per referral-ask message (flow post_purchase_referral_ask): when it went out (its first
    sent event), whether it was ever opened or clicked (whenever that happened), whether it was
    sent at or after the delivery of the order that triggered it, and the day it is counted on in
    the reporting time zone: the day it was sent, or the day of its first event when it has no
    sent event (DECISIONS.md, "Referral funnel").
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

orders as (
    select
        order_id,
        delivered_at
    from {{ ref('int_orders_numbered_per_customer') }}
),

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

final as (
    select
        -- ids
        asks.message_id,
        asks.order_id,

        -- booleans
        asks.sent_at is not null as is_sent,
        coalesce(asks.sent_at >= orders.delivered_at, false) as is_sent_after_delivery,
        asks.opened_flag = 1 as is_opened,
        asks.clicked_flag = 1 as is_clicked,

        -- dates
        cast({{ to_reporting_timezone('coalesce(asks.sent_at, asks.first_event_at)') }} as date)
            as activity_date,

        -- timestamps
        asks.sent_at,
        orders.delivered_at
    from asks
    left join orders
        on asks.order_id = orders.order_id
)

select * from final
