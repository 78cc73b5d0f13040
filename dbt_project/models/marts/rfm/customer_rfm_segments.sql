{#
    RFM as of as_of_date(), one row per customer with an order that counts on or before it:
    recency (days since the last such order), frequency (orders that count), monetary (their net
    revenue), each scored 1-5 by tie-safe quintiles (rfm_quintile_score) and labelled from the
    rfm_segment_labels seed. Edges and ties: DECISIONS.md ("RFM").
#}
with

orders as (
    select
        customer_id,
        net_revenue_usd,
        order_date
    from {{ ref('int_orders_counted_as_of_date') }}
),

segment_labels as (
    select
        recency_score,
        frequency_score,
        monetary_score,
        rfm_segment
    from {{ ref('rfm_segment_labels') }}
),

customers as (
    select
        customer_id,
        count(*) as order_count,
        sum(net_revenue_usd) as net_revenue_usd,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date
    from orders
    group by 1
),

measured as (
    select
        customers.*,
        {{ as_of_date() }} as as_of_date,
        {{ dbt.datediff('customers.last_order_date', as_of_date(), 'day') }}
            as days_since_last_order
    from customers
),

{# how many customers are strictly worse on each measure: equal values get equal counts #}
ranked as (
    select
        measured.*,
        rank() over (order by measured.days_since_last_order desc) - 1 as recency_worse_count,
        rank() over (order by measured.order_count) - 1 as frequency_worse_count,
        rank() over (order by measured.net_revenue_usd) - 1 as monetary_worse_count,
        count(*) over () as customer_count
    from measured
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

final as (
    select
        scored.customer_id,
        segment_labels.rfm_segment,
        {{ dbt.concat([
            "cast(scored.recency_score as " ~ dbt.type_string() ~ ")",
            "cast(scored.frequency_score as " ~ dbt.type_string() ~ ")",
            "cast(scored.monetary_score as " ~ dbt.type_string() ~ ")",
        ]) }} as rfm_cell,
        cast(scored.recency_score as integer) as recency_score,
        cast(scored.frequency_score as integer) as frequency_score,
        cast(scored.monetary_score as integer) as monetary_score,
        cast(scored.days_since_last_order as integer) as days_since_last_order,
        cast(scored.order_count as integer) as order_count,
        cast(scored.net_revenue_usd as decimal(18, 2)) as net_revenue_usd,
        scored.first_order_date,
        scored.last_order_date,
        scored.as_of_date
    from scored
    left join segment_labels
        on
            scored.recency_score = segment_labels.recency_score
            and scored.frequency_score = segment_labels.frequency_score
            and scored.monetary_score = segment_labels.monetary_score
)

select * from final
