{#
    RFM as of as_of_date(), one row per customer with an order that counts on or before it: the
    as-of month of the RFM history (customer_rfm_segments_monthly), which is judged at the as-of
    date, so the current scores and their history are one computation. Adds the score cell and
    the customer's first order date. Scores, edges and ties: DECISIONS.md ("RFM scores").
#}
with

history as (
    select
        customer_id,
        rfm_segment,
        recency_score,
        frequency_score,
        monetary_score,
        days_since_last_order,
        order_count,
        currency_code,
        net_revenue_amount,
        snapshot_month,
        last_order_date
    from {{ ref('customer_rfm_segments_monthly') }}
),

orders as (
    select
        customer_id,
        order_date
    from {{ ref('int_orders_counted_as_of_date') }}
),

as_of as (
    select
        {{ as_of_date() }} as as_of_date,
        cast({{ dbt.date_trunc('month', as_of_date()) }} as date) as as_of_month
),

first_orders as (
    select
        customer_id,
        min(order_date) as first_order_date
    from orders
    group by 1
),

final as (
    select
        history.customer_id,
        history.rfm_segment,
        {{ dbt.concat([
            "cast(history.recency_score as " ~ dbt.type_string() ~ ")",
            "cast(history.frequency_score as " ~ dbt.type_string() ~ ")",
            "cast(history.monetary_score as " ~ dbt.type_string() ~ ")",
        ]) }} as rfm_cell,
        history.recency_score,
        history.frequency_score,
        history.monetary_score,
        history.days_since_last_order,
        history.order_count,
        history.currency_code,
        history.net_revenue_amount,
        first_orders.first_order_date,
        history.last_order_date,
        as_of.as_of_date
    from history
    inner join as_of
        on history.snapshot_month = as_of.as_of_month
    inner join first_orders
        on history.customer_id = first_orders.customer_id
)

select * from final
