{#
    The month spine: one row per calendar month (reporting time zone, the date of its 1st) of the
    var('month_spine_length', 1200) months (100 years) up to and including the as-of month. Every
    month-grained mart reads it from its own first month on, so months, month ends and "has the
    month ended" are worked out once. dbt.generate_series, not a recursive CTE (dbt unit tests
    cannot run those); unit tests shorten the spine with the variable.
#}
{%- set spine_length = var('month_spine_length', 1200) | int -%}

with

as_of as (
    select
        {{ as_of_date() }} as as_of_date,
        cast({{ dbt.date_trunc('month', as_of_date()) }} as date) as as_of_month
),

month_numbers as (
    {{ dbt.generate_series(spine_length) }}
),

{# month_number 1 is the as-of month, 2 the month before, ... #}
months as (
    select
        as_of.as_of_date,
        cast(
            {{ dbt.dateadd(
                'month',
                '1 - cast(month_numbers.generated_number as ' ~ dbt.type_int() ~ ')',
                'as_of.as_of_month',
            ) }} as date
        ) as calendar_month
    from as_of
    cross join month_numbers
),

month_ends as (
    select
        calendar_month,
        as_of_date,
        cast({{ dbt.last_day('calendar_month', 'month') }} as date) as month_end_date
    from months
),

month_states as (
    select
        calendar_month,
        month_end_date,
        as_of_date,
        month_end_date <= as_of_date as is_month_complete,
        case
            when month_end_date < as_of_date then month_end_date else as_of_date
        end as observed_through_date
    from month_ends
),

final as (
    select
        -- booleans
        is_month_complete,

        -- dates
        calendar_month,
        month_end_date,
        observed_through_date,
        as_of_date
    from month_states
)

select * from final
