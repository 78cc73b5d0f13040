{#
    RFM at every month end, one row per customer and month of int_customer_months_accumulated:
    recency (days from the last order that counts to snapshot_date), frequency (orders that
    count) and monetary (their net revenue), each scored 1-5 by tie-safe quintiles
    (rfm_quintile_score) among the customers who had bought by that month end, and labelled from
    the rfm_segment_labels seed. Edges and ties: DECISIONS.md ("RFM scores").
#}
with

customer_months as (
    select
        customer_id,
        order_count,
        currency_code,
        net_revenue_amount,
        snapshot_month,
        snapshot_date,
        last_order_date
    from {{ ref('int_customer_months_accumulated') }}
),

segment_labels as (
    select
        recency_score,
        frequency_score,
        monetary_score,
        rfm_segment
    from {{ ref('rfm_segment_labels') }}
),

{#
    per month end, how many customers are strictly worse on each measure (an older last order is
    a longer recency at the same snapshot_date); equal values get equal counts
#}
ranked as (
    select
        customer_months.*,
        {{ dbt.datediff(
            'customer_months.last_order_date', 'customer_months.snapshot_date', 'day'
        ) }} as days_since_last_order,
        rank() over (
            partition by customer_months.snapshot_month
            order by customer_months.last_order_date
        ) - 1 as recency_worse_count,
        rank() over (
            partition by customer_months.snapshot_month
            order by customer_months.order_count
        ) - 1 as frequency_worse_count,
        rank() over (
            partition by customer_months.snapshot_month
            order by customer_months.net_revenue_amount
        ) - 1 as monetary_worse_count,
        count(*) over (partition by customer_months.snapshot_month) as customer_count
    from customer_months
),

scored as (
    select
        ranked.*,
        {{ rfm_quintile_score('ranked.recency_worse_count', 'ranked.customer_count') }}
            as recency_score,
        {{ rfm_quintile_score('ranked.frequency_worse_count', 'ranked.customer_count') }}
            as frequency_score,
        {{ rfm_quintile_score('ranked.monetary_worse_count', 'ranked.customer_count') }}
            as monetary_score
    from ranked
),

labelled as (
    select
        -- ids
        scored.customer_id,

        -- strings
        segment_labels.rfm_segment,
        scored.currency_code,

        -- numerics
        scored.recency_score,
        scored.frequency_score,
        scored.monetary_score,
        scored.days_since_last_order,
        scored.order_count,
        scored.net_revenue_amount,

        -- dates
        scored.snapshot_month,
        scored.snapshot_date,
        scored.last_order_date
    from scored
    left join segment_labels
        on
            scored.recency_score = segment_labels.recency_score
            and scored.frequency_score = segment_labels.frequency_score
            and scored.monetary_score = segment_labels.monetary_score
)

select * from labelled
