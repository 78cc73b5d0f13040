{# shown in Dagster as a check on the mart it guards #}
{{ config(meta={'dagster': {'ref': {'name': 'cohort_retention_monthly'}}}) }}

{#
    Cohort sizes add up: the 'all' cohorts of cohort_repeat_purchase_rates hold every customer of
    customer_lifetime_value once, 'referred' + 'not_referred' = 'all' in every cohort, and month 0
    of cohort_retention_monthly has the same cohort sizes. Returns a row per broken rule.
#}
with

customers as (
    select
        cohort_month,
        count(*) as customer_count
    from {{ ref('customer_lifetime_value') }}
    group by 1
),

repeat_cohorts as (
    select
        cohort_month,
        sum(case when acquisition_channel = 'all' then cohort_size else 0 end) as all_size,
        sum(case when acquisition_channel != 'all' then cohort_size else 0 end) as split_size
    from {{ ref('cohort_repeat_purchase_rates') }}
    group by 1
),

retention_month_zero as (
    select
        cohort_month,
        acquisition_channel,
        cohort_size
    from {{ ref('cohort_retention_monthly') }}
    where months_since_first_order = 0
),

repeat_channels as (
    select
        cohort_month,
        acquisition_channel,
        cohort_size
    from {{ ref('cohort_repeat_purchase_rates') }}
),

size_mismatches as (
    select
        coalesce(customers.cohort_month, repeat_cohorts.cohort_month) as cohort_month,
        'customers vs all/split cohorts' as broken_rule
    from customers
    full outer join repeat_cohorts
        on customers.cohort_month = repeat_cohorts.cohort_month
    where
        customers.customer_count is null
        or repeat_cohorts.all_size is null
        or customers.customer_count != repeat_cohorts.all_size
        or repeat_cohorts.all_size != repeat_cohorts.split_size
),

retention_mismatches as (
    select
        retention_month_zero.cohort_month,
        'retention month 0 vs repeat cohort size' as broken_rule
    from retention_month_zero
    left join repeat_channels
        on
            retention_month_zero.cohort_month = repeat_channels.cohort_month
            and retention_month_zero.acquisition_channel = repeat_channels.acquisition_channel
    where
        repeat_channels.cohort_size is null
        or retention_month_zero.cohort_size != repeat_channels.cohort_size
),

broken as (
    select * from size_mismatches
    union all
    select * from retention_mismatches
)

select * from broken
