{# shown in Dagster as a check on the mart it guards #}
{{ config(meta={'dagster': {'ref': {'name': 'referral_linked_purchases'}}}) }}

{#
    Every attributed order from the go-live month to the as-of date is counted once in
    referral_linked_purchases, and the funnel shows the same referred first orders: returns the
    months where the mart and the orders disagree.
#}
with

kpi as (
    select
        order_month,
        referral_linked_order_count,
        referred_first_order_count,
        program_live_date,
        as_of_date
    from {{ ref('referral_linked_purchases') }}
),

funnel as (
    select
        activity_month,
        referred_first_order_count
    from {{ ref('referral_funnel_monthly') }}
),

attributed_orders as (
    select
        order_month,
        is_referred_first_order,
        order_date
    from {{ ref('int_orders_joined_to_referrals') }}
    where is_referral_linked
),

monthly_orders as (
    select
        attributed_orders.order_month,
        count(*) as order_count,
        {#
            count, not sum(case ... 1 else 0): DuckDB 2.0.0 gives a sum over rows filtered by a
            scalar subquery the statistics of a single row and folds `sum != 11` to true although
            the sum is 11 (select s = 11 from (select sum(d) as s from o where d <= (select
            max(a) from k)) is false). count is not affected.
        #}
        count(case when attributed_orders.is_referred_first_order then 1 end)
            as first_order_count
    from attributed_orders
    where attributed_orders.order_date <= (select max(kpi.as_of_date) as as_of_date from kpi)
    group by 1
),

compared as (
    select
        kpi.referral_linked_order_count,
        monthly_orders.order_count,
        kpi.referred_first_order_count,
        funnel.referred_first_order_count as funnel_referred_first_order_count,
        coalesce(kpi.order_month, monthly_orders.order_month) as order_month
    from kpi
    full outer join monthly_orders
        on kpi.order_month = monthly_orders.order_month
    left join funnel
        on kpi.order_month = funnel.activity_month
    where
        kpi.order_month is null
        or kpi.referral_linked_order_count != coalesce(monthly_orders.order_count, 0)
        or kpi.referred_first_order_count != coalesce(monthly_orders.first_order_count, 0)
        or kpi.referred_first_order_count != coalesce(funnel.referred_first_order_count, 0)
)

select * from compared
