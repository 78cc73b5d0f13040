{#
    The referral KPI, one row per month from the go-live month to the as-of month, months without
    referral orders included; the +10 % target is judged from 60 days live (DECISIONS.md).
#}
with

referral_orders as (
    select
        referrer_customer_id,
        attribution_status,
        net_revenue_amount,
        is_referral_linked,
        is_referred_first_order,
        order_month
    from {{ ref('int_orders_joined_to_referrals') }}
    where
        attribution_status in ('attributed', 'own_code')
        and order_date <= {{ as_of_date() }}
),

{# go-live: the day (reporting time zone) the first referral code was issued #}
program_start as (
    select cast(min({{ to_reporting_timezone('issued_at') }}) as date) as program_live_date
    from {{ ref('stg_referrals__referral_codes') }}
),

months as (
    select
        calendar_month,
        month_end_date,
        observed_through_date,
        as_of_date,
        is_month_complete
    from {{ ref('int_months_enumerated') }}
),

{# the go-live month to the as-of month; judged once live 60 days on the 1st of the month #}
program_months as (
    select
        months.calendar_month as order_month,
        program_start.program_live_date,
        months.month_end_date,
        months.observed_through_date,
        months.as_of_date,
        months.is_month_complete,
        {{ dbt.datediff('program_start.program_live_date', 'months.calendar_month', 'day') }}
        >= 60 as is_target_applicable
    from months
    inner join program_start
        on
            months.calendar_month
            >= cast({{ dbt.date_trunc('month', 'program_start.program_live_date') }} as date)
),

monthly_orders as (
    select
        order_month,
        sum(case when is_referral_linked then 1 else 0 end) as referral_linked_order_count,
        sum(case when is_referral_linked then net_revenue_amount else 0 end)
            as referral_linked_net_revenue_amount,
        sum(case when is_referred_first_order then 1 else 0 end) as referred_first_order_count,
        count(distinct case when is_referral_linked then referrer_customer_id end)
            as active_referrer_count,
        sum(case when attribution_status = 'own_code' then 1 else 0 end)
            as self_referral_order_count
    from referral_orders
    group by 1
),

{# a month without referral orders is a 0, not a gap: growth and targets read the month before #}
filled as (
    select
        program_months.*,
        coalesce(monthly_orders.referral_linked_order_count, 0) as referral_linked_order_count,
        coalesce(monthly_orders.referral_linked_net_revenue_amount, 0)
            as referral_linked_net_revenue_amount,
        coalesce(monthly_orders.referred_first_order_count, 0) as referred_first_order_count,
        coalesce(monthly_orders.active_referrer_count, 0) as active_referrer_count,
        coalesce(monthly_orders.self_referral_order_count, 0) as self_referral_order_count
    from program_months
    left join monthly_orders
        on program_months.order_month = monthly_orders.order_month
),

compared as (
    select
        filled.*,
        lag(filled.referral_linked_order_count) over (order by filled.order_month)
            as previous_month_referral_linked_order_count
    from filled
),

{# +10 % of the month before, rounded up (11 * n / 10 is exact in float and decimal alike) #}
targeted as (
    select
        compared.*,
        case
            when
                compared.is_target_applicable
                and compared.previous_month_referral_linked_order_count = 0
                then 1
            when compared.is_target_applicable
                then cast(
                    ceil(11 * compared.previous_month_referral_linked_order_count / 10.0)
                    as integer
                )
        end as target_referral_linked_order_count
    from compared
),

final as (
    select
        order_month,
        cast(referral_linked_order_count as integer) as referral_linked_order_count,
        cast(referral_linked_net_revenue_amount as decimal(18, 2))
            as referral_linked_net_revenue_amount,
        {{ reporting_currency_code() }} as currency_code,
        cast(referred_first_order_count as integer) as referred_first_order_count,
        cast(active_referrer_count as integer) as active_referrer_count,
        cast(self_referral_order_count as integer) as self_referral_order_count,
        cast(previous_month_referral_linked_order_count as integer)
            as previous_month_referral_linked_order_count,
        cast(
            case
                when previous_month_referral_linked_order_count > 0
                    then
                        cast(
                            referral_linked_order_count
                            - previous_month_referral_linked_order_count
                            as decimal(18, 4)
                        )
                        / previous_month_referral_linked_order_count
            end as decimal(18, 4)
        ) as month_over_month_growth_rate,
        cast(target_referral_linked_order_count as integer) as target_referral_linked_order_count,
        cast({{ dbt.datediff(
            'program_live_date', 'observed_through_date', 'day'
        ) }} as integer) as days_since_program_live,
        is_target_applicable,
        case
            when is_target_applicable
                then referral_linked_order_count >= target_referral_linked_order_count
        end as is_target_met,
        is_month_complete,
        program_live_date,
        month_end_date,
        as_of_date
    from targeted
)

select * from final
