{#
    RFM history, one row per customer and month end from the month of the customer's first order
    that counts to the as-of month, scored among the customers known at that month end
    (int_customer_months_scored); the as-of month is judged at the as-of date, so it is
    customer_rfm_segments. Adds the segment at the previous month end and since when the customer
    has been in the current one (DECISIONS.md, "RFM history").
#}
with

scores as (
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
        snapshot_date,
        last_order_date
    from {{ ref('int_customer_months_scored') }}
),

compared as (
    select
        scores.*,
        lag(scores.rfm_segment) over (
            partition by scores.customer_id
            order by scores.snapshot_month
        ) as previous_rfm_segment
    from scores
),

{# the segment changed at a month end when it differs from the month end before (or is new) #}
changes as (
    select
        compared.*,
        max(
            case
                when
                    compared.previous_rfm_segment is null
                    or compared.previous_rfm_segment != compared.rfm_segment
                    then compared.snapshot_date
            end
        ) over (
            partition by compared.customer_id
            order by compared.snapshot_month
            rows between unbounded preceding and current row
        ) as segment_changed_on,
        coalesce(compared.previous_rfm_segment != compared.rfm_segment, false)
            as is_segment_changed
    from compared
),

final as (
    select
        customer_id,
        rfm_segment,
        previous_rfm_segment,
        cast(recency_score as integer) as recency_score,
        cast(frequency_score as integer) as frequency_score,
        cast(monetary_score as integer) as monetary_score,
        cast(days_since_last_order as integer) as days_since_last_order,
        cast(order_count as integer) as order_count,
        currency_code,
        cast(net_revenue_amount as decimal(18, 2)) as net_revenue_amount,
        is_segment_changed,
        snapshot_month,
        snapshot_date,
        segment_changed_on,
        last_order_date
    from changes
)

select * from final
