{#
    One row per order of stg_shop__orders: its money in the reporting currency, reporting_currency()
    (var('reporting_currency'), the marts' currency_code). An order in that currency keeps its
    amounts (rate 1). An order in another currency is converted at the rate of its day in the
    reporting time zone; without a known rate its amounts are null, so it adds nothing to any
    money sum, and the warn-level test on has_fx_rate counts such orders (DECISIONS.md,
    "Currency"). Refunds and the cost of goods (known when every line has a unit cost) use the
    order's rate. Amounts are the exact products (12 decimals):
    marts round their sums, so a converted mart equals the unconverted one times the rate.
#}
with

orders as (
    select
        order_id,
        currency_code,
        subtotal_amount,
        discount_amount,
        shipping_amount,
        tax_amount,
        total_amount,
        refunded_amount,
        ordered_at
    from {{ ref('stg_shop__orders') }}
),

order_lines as (
    select
        order_id,
        line_cost_amount
    from {{ ref('stg_shop__order_lines') }}
),

{# the cost of goods is known only when every line of the order has a unit cost #}
order_costs as (
    select
        order_id,
        sum(line_cost_amount) as cost_of_goods_amount,
        count(*) as line_count,
        count(line_cost_amount) as costed_line_count
    from order_lines
    group by 1
),

rated as (
    select
        orders.*,
        order_costs.cost_of_goods_amount,
        coalesce(order_costs.line_count, 0) as line_count,
        coalesce(order_costs.costed_line_count, 0) as costed_line_count,
        cast({{ to_reporting_timezone('orders.ordered_at') }} as date) as order_date,
        case
            when orders.currency_code = '{{ reporting_currency() }}'
                then cast(1 as decimal(18, 10))
        end as fx_rate
    from orders
    left join order_costs
        on orders.order_id = order_costs.order_id
),

converted as (
    select
        -- ids
        order_id,

        -- strings
        {{ reporting_currency_code() }} as currency_code,
        currency_code as order_currency_code,

        -- numerics
        fx_rate,
        {% for amount in ['subtotal', 'discount', 'shipping', 'tax', 'total', 'refunded'] %}
            cast({{ amount }}_amount * fx_rate as decimal(30, 12)) as {{ amount }}_amount,
        {% endfor %}
        cast(cost_of_goods_amount * fx_rate as decimal(30, 12)) as cost_of_goods_amount,
        cast(line_count as {{ dbt.type_int() }}) as line_count,
        cast(costed_line_count as {{ dbt.type_int() }}) as costed_line_count,

        -- booleans
        fx_rate is not null as has_fx_rate,

        -- dates
        order_date
    from rated
)

select * from converted
