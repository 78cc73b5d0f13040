{# shown in Dagster as a check on the mart it guards #}
{{ config(meta={'dagster': {'ref': {'name': 'customer_rfm_segments_monthly'}}}) }}

{#
    The as-of month of customer_rfm_segments_monthly is judged at the as-of date, so it must hold
    the same customers with the same scores and segment as customer_rfm_segments: returns every
    customer on one side only or scored differently.
#}
with

current_segments as (
    select
        customer_id,
        rfm_segment,
        recency_score,
        frequency_score,
        monetary_score,
        as_of_date
    from {{ ref('customer_rfm_segments') }}
),

history as (
    select
        customer_id,
        rfm_segment,
        recency_score,
        frequency_score,
        monetary_score,
        snapshot_month,
        snapshot_date
    from {{ ref('customer_rfm_segments_monthly') }}
),

as_of_month_history as (
    select history.*
    from history
    where history.snapshot_month = (
        select max(latest.snapshot_month) as snapshot_month
        from history as latest
    )
),

compared as (
    select
        current_segments.rfm_segment as current_rfm_segment,
        history.rfm_segment as history_rfm_segment,
        coalesce(current_segments.customer_id, history.customer_id) as customer_id
    from current_segments
    full outer join as_of_month_history as history
        on current_segments.customer_id = history.customer_id
    where
        current_segments.customer_id is null
        or history.customer_id is null
        or current_segments.rfm_segment != history.rfm_segment
        or current_segments.recency_score != history.recency_score
        or current_segments.frequency_score != history.frequency_score
        or current_segments.monetary_score != history.monetary_score
        or current_segments.as_of_date != history.snapshot_date
)

select * from compared
