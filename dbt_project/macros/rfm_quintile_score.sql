{#
    rfm_quintile_score(worse_count, customer_count): a 1-5 score from the number of customers
    scored strictly worse on one measure (rank() - 1 over the worse-first order) and the number of
    customers scored: 1 + floor(5 * worse_count / customer_count), in integer comparisons only (no
    float rounding at the 20 % edges). Customers tied on a value have the same worse_count, so they
    always get the same score: the score of the first place their tie block takes (a block of
    one-time buyers holding 70 % of customers all score 1). DECISIONS: DECISIONS.md.
#}
{% macro rfm_quintile_score(worse_count, customer_count) -%}
    case
        when 5 * ({{ worse_count }}) < 1 * ({{ customer_count }}) then 1
        when 5 * ({{ worse_count }}) < 2 * ({{ customer_count }}) then 2
        when 5 * ({{ worse_count }}) < 3 * ({{ customer_count }}) then 3
        when 5 * ({{ worse_count }}) < 4 * ({{ customer_count }}) then 4
        else 5
    end
{%- endmacro %}
