{#
    own_channel_and_all(relation, columns): every row of `relation` twice, once in its own
    acquisition_channel ('referred' or 'not_referred') and once in 'all', as the body of a CTE.
    The cohort marts group by the channel afterwards, so one table holds the overall view and the
    split, and the split always adds up to 'all' (DECISIONS.md, "Shape of the marts").
    `columns` are the other columns to keep; acquisition_channel comes first.
#}
{% macro own_channel_and_all(relation, columns) -%}
    select
        acquisition_channel,
        {{ columns | join(', ') }}
    from {{ relation }}
    union all
    select
        'all' as acquisition_channel,
        {{ columns | join(', ') }}
    from {{ relation }}
{%- endmacro %}
