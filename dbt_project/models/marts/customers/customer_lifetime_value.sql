{#
    One row per customer with an order that counts on or before as_of_date(): how they were
    acquired (int_customers_acquired), value to date, order rhythm, and net revenue in fixed
    windows after the first order (null until the window has fully passed). Revenue rules:
    DECISIONS.md.
#}
with

orders as (
    select
        customer_id,
        gross_revenue_amount,
        discount_amount,
        refunded_amount,
        net_revenue_amount,
        gross_margin_amount,
        order_date,
        ordered_at
    from {{ ref('int_orders_counted_as_of_date') }}
),

acquisitions as (
    select
        customer_id,
        first_order_id,
        referrer_customer_id,
        acquisition_channel,
        first_order_date,
        cohort_month,
        first_ordered_at
    from {{ ref('int_customers_acquired') }}
),

as_of as (
    select {{ as_of_date() }} as as_of_date
),

first_orders as (
    select
        acquisitions.*,
        as_of.as_of_date,
        {{ dbt.datediff('acquisitions.first_order_date', 'as_of.as_of_date', 'day') }}
            as days_observed
    from acquisitions
    cross join as_of
),

{# days_after_first_order: 0 on the day of the first order, in the reporting time zone #}
orders_after_first as (
    select
        orders.*,
        first_orders.days_observed,
        {{ dbt.datediff('first_orders.first_order_date', 'orders.order_date', 'day') }}
            as days_after_first_order
    from orders
    inner join first_orders
        on orders.customer_id = first_orders.customer_id
),

{#
    a window of N days is shown only once the customer has been observed for N days; an order
    without an exchange rate (null money) is counted but adds nothing to the money sums
#}
customer_totals as (
    select
        customer_id,
        {% for days in [30, 90, 180, 365] %}
            case
                when max(days_observed) >= {{ days }}
                    then coalesce(sum(
                        case when days_after_first_order <= {{ days }} then net_revenue_amount end
                    ), 0)
            end as net_revenue_first_{{ days }}d_amount,
        {% endfor %}
        count(*) as order_count,
        count(net_revenue_amount) as priced_order_count,
        count(gross_margin_amount) as costed_order_count,
        coalesce(sum(gross_revenue_amount), 0) as gross_revenue_amount,
        coalesce(sum(discount_amount), 0) as discount_amount,
        coalesce(sum(refunded_amount), 0) as refunded_amount,
        coalesce(sum(net_revenue_amount), 0) as net_revenue_amount,
        sum(gross_margin_amount) as gross_margin_amount,
        max(order_date) as last_order_date,
        max(ordered_at) as last_ordered_at
    from orders_after_first
    group by 1
),

customers as (
    select
        -- ids
        first_orders.customer_id,
        first_orders.first_order_id,
        first_orders.referrer_customer_id,

        -- strings
        first_orders.acquisition_channel,
        {{ reporting_currency_code() }} as currency_code,

        -- numerics
        cast(customer_totals.order_count as {{ dbt.type_int() }}) as order_count,
        cast(customer_totals.costed_order_count as {{ dbt.type_int() }}) as costed_order_count,
        cast(customer_totals.gross_revenue_amount as decimal(18, 2)) as gross_revenue_amount,
        cast(customer_totals.discount_amount as decimal(18, 2)) as discount_amount,
        cast(customer_totals.refunded_amount as decimal(18, 2)) as refunded_amount,
        cast(customer_totals.net_revenue_amount as decimal(18, 2)) as net_revenue_amount,
        cast(customer_totals.gross_margin_amount as decimal(18, 2)) as gross_margin_amount,
        cast(
            customer_totals.net_revenue_amount / nullif(customer_totals.priced_order_count, 0)
            as decimal(18, 2)
        ) as average_order_value_amount,
        {% for days in [30, 90, 180, 365] %}
            cast(customer_totals.net_revenue_first_{{ days }}d_amount as decimal(18, 2))
                as net_revenue_first_{{ days }}d_amount,
        {% endfor %}
        cast(first_orders.days_observed as {{ dbt.type_int() }}) as tenure_days,
        cast(
            case
                when customer_totals.order_count > 1
                    then 1.0 * {{ dbt.datediff(
                        'first_orders.first_order_date', 'customer_totals.last_order_date', 'day'
                    ) }} / (customer_totals.order_count - 1)
            end as decimal(18, 2)
        ) as average_days_between_orders,

        -- booleans
        customer_totals.order_count > 1 as is_repeat_customer,

        -- dates
        first_orders.cohort_month,
        first_orders.first_order_date,
        customer_totals.last_order_date,
        first_orders.as_of_date,

        -- timestamps
        first_orders.first_ordered_at,
        customer_totals.last_ordered_at
    from first_orders
    inner join customer_totals
        on first_orders.customer_id = customer_totals.customer_id
)

select * from customers
