{# shown in Dagster as a check on the mart it guards #}
{{ config(meta={'dagster': {'ref': {'name': 'customer_rfm_segments'}}}) }}

{#
    customer_rfm_segments is the as-of month of the RFM history (running totals over a customers x
    months grid, ranked per month end). Scored again here straight from the orders that count up
    to the as-of date, with the score written as 1 + floor(5 * worse / n) rather than the macro's
    integer comparisons, the two must agree on every customer: returns every customer on one
    side only or with another segment, score, measure or date.
#}
with

orders as (
    select
        customer_id,
        net_revenue_amount,
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

current_segments as (
    select
        customer_id,
        rfm_segment,
        rfm_cell,
        recency_score,
        frequency_score,
        monetary_score,
        days_since_last_order,
        order_count,
        net_revenue_amount,
        first_order_date,
        last_order_date,
        as_of_date
    from {{ ref('customer_rfm_segments') }}
),

customers as (
    select
        customer_id,
        count(*) as order_count,
        {# an order without an exchange rate adds nothing (null money) #}
        coalesce(sum(net_revenue_amount), 0) as net_revenue_amount,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        {{ dbt.datediff(
            'max(order_date)', as_of_date(), 'day'
        ) }} as days_since_last_order
    from orders
    group by 1
),

{#
    worse = rank() - 1 = customers strictly worse on the measure (more days, fewer orders, less
    revenue); 5.0 * worse / n is a float, exact enough below 2^40 customers that floor() lands on
    the same integer as the macro's comparisons
#}
scored as (
    select
        customers.*,
        cast(1 + floor(
            5.0 * (rank() over (order by customers.days_since_last_order desc) - 1)
            / count(*) over ()
        ) as integer) as recency_score,
        cast(1 + floor(
            5.0 * (rank() over (order by customers.order_count) - 1) / count(*) over ()
        ) as integer) as frequency_score,
        cast(1 + floor(
            5.0 * (rank() over (order by customers.net_revenue_amount) - 1) / count(*) over ()
        ) as integer) as monetary_score
    from customers
),

expected as (
    select
        scored.*,
        segment_labels.rfm_segment
    from scored
    left join segment_labels
        on
            scored.recency_score = segment_labels.recency_score
            and scored.frequency_score = segment_labels.frequency_score
            and scored.monetary_score = segment_labels.monetary_score
),

mismatches as (
    select
        expected.rfm_segment as expected_rfm_segment,
        current_segments.rfm_segment as current_rfm_segment,
        coalesce(expected.customer_id, current_segments.customer_id) as customer_id
    from expected
    full outer join current_segments
        on expected.customer_id = current_segments.customer_id
    where
        expected.customer_id is null
        or current_segments.customer_id is null
        or expected.rfm_segment != current_segments.rfm_segment
        or expected.recency_score != current_segments.recency_score
        or expected.frequency_score != current_segments.frequency_score
        or expected.monetary_score != current_segments.monetary_score
        or current_segments.rfm_cell != {{ dbt.concat([
            "cast(expected.recency_score as " ~ dbt.type_string() ~ ")",
            "cast(expected.frequency_score as " ~ dbt.type_string() ~ ")",
            "cast(expected.monetary_score as " ~ dbt.type_string() ~ ")",
        ]) }}
        or expected.days_since_last_order != current_segments.days_since_last_order
        or expected.order_count != current_segments.order_count
        or cast(expected.net_revenue_amount as decimal(18, 2))
        != current_segments.net_revenue_amount
        or expected.first_order_date != current_segments.first_order_date
        or expected.last_order_date != current_segments.last_order_date
        or current_segments.as_of_date != {{ as_of_date() }}
)

select * from mismatches
