{#
    Fails for every row where `expression` is not true (false or null), e.g.
    `arguments: {expression: "net_revenue_amount <= gross_revenue_amount"}`. On a column, the column
    name is put in front of the expression: `arguments: {expression: ">= 0"}`.
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(
    {% if column_name is not none %}{{ column_name }} {% endif %}{{ expression }},
    false
)

{% endtest %}
