{#
    RFM at every month end, one row per customer and month from the customer's first month (first
    order that counts) to the as-of month, scored exactly as customer_rfm_segments but among the
    customers known at that month end; the as-of month is judged at the as-of date. Orders are
    summed per customer and month once, then carried forward with running windows: the cost grows
    with customers x months, not orders x months (DECISIONS.md, "RFM history").
#}
with

orders as (
    select
        customer_id,
        net_revenue_usd,
        order_date,
        order_month
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

customer_month_orders as (
    select
        customer_id,
        order_month,
        count(*) as order_count,
        sum(net_revenue_usd) as net_revenue_usd,
        max(order_date) as last_order_date
    from orders
    group by 1, 2
),

customer_first_months as (
    select
        customer_id,
        min(order_month) as first_month
    from customer_month_orders
    group by 1
),

bounds as (
    select
        {{ as_of_date() }} as as_of_date,
        min(first_month) as first_month,
        cast({{ dbt.date_trunc('month', as_of_date()) }} as date) as last_month
    from customer_first_months
),

month_offsets as (
    {{ month_offsets() }}
),

months as (
    select
        bounds.as_of_date,
        cast(
            {{ dbt.dateadd('month', 'month_offsets.month_offset', 'bounds.first_month') }} as date
        ) as snapshot_month
    from bounds
    cross join month_offsets
    where
        bounds.first_month is not null
        and month_offsets.month_offset
        <= {{ dbt.datediff('bounds.first_month', 'bounds.last_month', 'month') }}
),

{# the month's last day, or the as-of date in the as-of month #}
month_ends as (
    select
        snapshot_month,
        case
            when cast({{ dbt.last_day('snapshot_month', 'month') }} as date) < as_of_date
                then cast({{ dbt.last_day('snapshot_month', 'month') }} as date)
            else as_of_date
        end as snapshot_date
    from months
),

customer_months as (
    select
        customer_first_months.customer_id,
        month_ends.snapshot_month,
        month_ends.snapshot_date
    from customer_first_months
    inner join month_ends
        on customer_first_months.first_month <= month_ends.snapshot_month
),

{# running totals: everything the customer bought up to each month end #}
cumulative as (
    select
        customer_months.customer_id,
        customer_months.snapshot_month,
        customer_months.snapshot_date,
        sum(coalesce(customer_month_orders.order_count, 0)) over (
            partition by customer_months.customer_id
            order by customer_months.snapshot_month
            rows between unbounded preceding and current row
        ) as order_count,
        sum(coalesce(customer_month_orders.net_revenue_usd, 0)) over (
            partition by customer_months.customer_id
            order by customer_months.snapshot_month
            rows between unbounded preceding and current row
        ) as net_revenue_usd,
        max(customer_month_orders.last_order_date) over (
            partition by customer_months.customer_id
            order by customer_months.snapshot_month
            rows between unbounded preceding and current row
        ) as last_order_date
    from customer_months
    left join customer_month_orders
        on
            customer_months.customer_id = customer_month_orders.customer_id
            and customer_months.snapshot_month = customer_month_orders.order_month
),

{#
    per month end, how many customers are strictly worse on each measure (an older last order is
    a longer recency at the same snapshot_date); equal values get equal counts
#}
ranked as (
    select
        cumulative.*,
        {{ dbt.datediff('cumulative.last_order_date', 'cumulative.snapshot_date', 'day') }}
            as days_since_last_order,
        rank() over (
            partition by cumulative.snapshot_month
            order by cumulative.last_order_date
        ) - 1 as recency_worse_count,
        rank() over (
            partition by cumulative.snapshot_month
            order by cumulative.order_count
        ) - 1 as frequency_worse_count,
        rank() over (
            partition by cumulative.snapshot_month
            order by cumulative.net_revenue_usd
        ) - 1 as monetary_worse_count,
        count(*) over (partition by cumulative.snapshot_month) as customer_count
    from cumulative
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
        scored.*,
        segment_labels.rfm_segment
    from scored
    left join segment_labels
        on
            scored.recency_score = segment_labels.recency_score
            and scored.frequency_score = segment_labels.frequency_score
            and scored.monetary_score = segment_labels.monetary_score
),

compared as (
    select
        labelled.*,
        lag(labelled.rfm_segment) over (
            partition by labelled.customer_id
            order by labelled.snapshot_month
        ) as previous_rfm_segment
    from labelled
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
        cast(net_revenue_usd as decimal(18, 2)) as net_revenue_usd,
        is_segment_changed,
        snapshot_month,
        snapshot_date,
        segment_changed_on,
        last_order_date
    from changes
)

select * from final
