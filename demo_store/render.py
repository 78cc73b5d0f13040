"""Records to landing-file lines, with DuckDB doing the text work over Arrow tables.

Each `render_*` takes a slice of a source's records (dirty copies included, marked by `_dirty`,
the 1-based index of the kind in that source's DIRTY_KINDS, and `_variant`, a coin flip some
kinds use) and returns one line per record, newline included, in the same order, as Arrow
chunks. The queries are projections over one table, so DuckDB keeps the row order.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from demo_store import catalog
from demo_store.message_flows import SMS
from demo_store.period import NEVER
from demo_store.store import Store

ORDER_DIRTY_KINDS = (
    "duplicate_line",
    "missing_order_id",
    "negative_total",
    "unknown_financial_status",
    "unparseable_line",
    "future_updated_at",
)
REFERRAL_CODE_DIRTY_KINDS = (
    "duplicate_line",
    "missing_referral_code",
    "negative_reward_amount",
    "malformed_issued_at",
    "future_issued_at",
)
REFERRAL_EVENT_DIRTY_KINDS = (
    "duplicate_line",
    "missing_event_id",
    "unknown_event_type",
    "malformed_occurred_at",
    "future_occurred_at",
)
MESSAGE_DIRTY_KINDS = (
    "duplicate_line",
    "missing_event_id",
    "unknown_event_type",
    "unparseable_line",
    "future_occurred_at",
)
REFERRAL_CODE_HEADER = (
    "referral_code,link_token,owner_customer_id,owner_email,program_variant,"
    "reward_amount,reward_currency,offer_framing,issued_at"
)
REFERRAL_EVENT_HEADER = (
    "event_id,referral_code,event_type,occurred_at,share_channel,"
    "referred_customer_id,referred_email,reward_amount"
)
ID_WIDTH = 8
EVENT_ID_WIDTH = 10  # 100 million events and more at the largest benchmark scale


def _kind(kinds: tuple[str, ...], name: str) -> int:
    return kinds.index(name) + 1


def _times(values: np.ndarray) -> pa.Array:
    return pa.array(values, mask=values == NEVER)


def _texts(names, index: np.ndarray) -> pa.Array:
    return pc.take(pa.array(names), pa.array(index, mask=index < 0))


def _identifier(prefix: str, column: str, width: int = ID_WIDTH) -> str:
    # lpad cuts longer text: the widths leave room for the largest store
    return f"'{prefix}' || lpad({column}::varchar, {width}, '0')"


def _timestamp(column: str) -> str:
    return f"strftime(make_timestamp({column} * 1000000), '%Y-%m-%dT%H:%M:%SZ')"


def _future_timestamp(column: str) -> str:
    # same moment in 2099 (to_years keeps 29 February valid by clamping)
    moment = f"make_timestamp({column} * 1000000)"
    return f"strftime({moment} + to_years(2099 - year({moment})), '%Y-%m-%dT%H:%M:%SZ')"


def _money(column: str) -> str:
    return f"({column} / 100)::decimal(18, 2)"


def _dirty_time(column: str, malformed: int, future: int) -> str:
    return (
        f"case _dirty when {malformed} then 'not-a-date' "
        f"when {future} then {_future_timestamp(column)} else {_timestamp(column)} end"
    )


def _csv(*expressions: str) -> str:
    """A CSV line; none of the generated values holds a comma or quote, so none is quoted."""
    return " || ',' || ".join(f"coalesce(({e})::varchar, '')" for e in expressions)


def _lines(con: duckdb.DuckDBPyConnection, table: pa.Table, sql: str) -> pa.ChunkedArray:
    con.register("chunk", table)
    try:
        return con.sql(sql).to_arrow_table().column(0)
    finally:
        con.unregister("chunk")


def _line_items(store: Store, order: np.ndarray) -> pa.Array:
    """`line_items` JSON per order from pre-rendered item texts (20 products x 3 quantities)."""
    items = []
    for product_id, product_type, price, cost in catalog.PRODUCTS:
        for quantity in range(1, catalog.MAX_QUANTITY + 1):
            unit_cost = "null" if cost < 0 else f"{cost / 100:.2f}"
            items.append(
                f'{{"product_id":"{product_id}","product_type":"{catalog.PRODUCT_TYPES[product_type]}",'
                f'"quantity":{quantity},"unit_price":{price / 100:.2f},"unit_cost":{unit_cost}}}'
            )
    product = store.baskets.product[order].astype(np.int64)
    item = product * catalog.MAX_QUANTITY + store.baskets.quantity[order] - 1
    columns = [
        _texts(items, np.where(product[:, j] >= 0, item[:, j], -1))
        for j in range(catalog.MAX_LINES)
    ]
    joined = pc.binary_join_element_wise(*columns, ",", null_handling="skip")
    return pc.binary_join_element_wise("[", joined, "]", "")


def render_orders(con: duckdb.DuckDBPyConnection, chunk: pa.Table, store: Store) -> pa.ChunkedArray:
    order = chunk["order"].to_numpy()
    amounts = store.amounts
    customer_number = store.identity.customer_number[order]
    table = pa.table(
        {
            "_dirty": chunk["_dirty"],
            "_variant": chunk["_variant"],
            "order_number": order + 1,
            "customer_number": pa.array(customer_number, mask=customer_number == 0),
            "email": pc.take(store.order_emails, order),
            "created_at": store.orders.created_at[order],
            "updated_at": chunk["updated_at"],
            "fulfilled_at": _times(chunk["fulfilled_at"].to_numpy()),
            "delivered_at": _times(chunk["delivered_at"].to_numpy()),
            "cancelled_at": _times(chunk["cancelled_at"].to_numpy()),
            "subtotal": amounts.subtotal[order],
            "discount": amounts.discount[order],
            "shipping": amounts.shipping[order],
            "tax": amounts.tax[order],
            "total": amounts.total[order],
            "refunded": chunk["refunded"],
            "financial_status": _texts(
                catalog.FINANCIAL_STATUSES, chunk["financial_status"].to_numpy().astype(np.int64)
            ),
            "fulfillment_status": _texts(
                catalog.FULFILLMENT_STATUSES,
                chunk["fulfillment_status"].to_numpy().astype(np.int64),
            ),
            "discount_code": pc.take(store.checkout.discount_code, order),
            "referral_token": pc.take(store.checkout.referral_token, order),
            "line_items": _line_items(store, order),
        }
    )
    k = ORDER_DIRTY_KINDS
    negative_total = f"case when _dirty = {_kind(k, 'negative_total')} then -total else total end"
    sql = f"""
    with headers as (
        select _dirty, _variant, to_json(struct_pack(
            order_id := case when _dirty = {_kind(k, "missing_order_id")} then null
                else {_identifier("ord_", "order_number")} end,
            customer_id := {_identifier("cus_", "customer_number")},
            email := email,
            created_at := {_timestamp("created_at")},
            updated_at := case when _dirty = {_kind(k, "future_updated_at")}
                then {_future_timestamp("updated_at")} else {_timestamp("updated_at")} end,
            fulfilled_at := {_timestamp("fulfilled_at")},
            delivered_at := {_timestamp("delivered_at")},
            cancelled_at := {_timestamp("cancelled_at")},
            currency := '{catalog.CURRENCY}',
            subtotal := {_money("subtotal")},
            discount_total := {_money("discount")},
            shipping_total := {_money("shipping")},
            tax_total := {_money("tax")},
            total := {_money(negative_total)},
            refunded_total := {_money("refunded")},
            financial_status := case when _dirty = {_kind(k, "unknown_financial_status")}
                then 'paidd' else financial_status end,
            fulfillment_status := fulfillment_status,
            discount_code := discount_code,
            referral_token := referral_token
        ))::varchar as header, line_items
        from chunk
    )
    select case
        -- half the records missing their key lose it altogether, half carry null
        when _dirty = {_kind(k, "missing_order_id")} and _variant = 1
            then replace(line, '"order_id":null,', '')
        when _dirty = {_kind(k, "unparseable_line")} then left(line, length(line) // 2)
        else line end || chr(10)
    from (
        -- line items are appended as text: through to_json, 19.90 would come out as 19.9
        select _dirty, _variant,
            left(header, length(header) - 1) || ',"line_items":' || line_items || '}}' as line
        from headers
    )
    """
    return _lines(con, table, sql)


def render_referral_codes(
    con: duckdb.DuckDBPyConnection, chunk: pa.Table, store: Store
) -> pa.ChunkedArray:
    code = chunk["code"].to_numpy()
    codes = store.codes
    owner = codes.owner[code]
    owner_number = store.customers.customer_number[owner]
    arm = codes.arm[code].astype(np.int64)
    table = pa.table(
        {
            "_dirty": chunk["_dirty"],
            "referral_code": pc.take(codes.code, code),
            "link_token": pc.take(codes.token, code),
            "owner_number": pa.array(owner_number, mask=owner_number == 0),
            "owner_email": pc.take(store.customer_emails, owner),
            "program_variant": _texts([a[0] for a in catalog.REFERRAL_ARMS], arm),
            "reward": codes.reward_cents[code],
            "offer_framing": _texts([a[2] for a in catalog.REFERRAL_ARMS], arm),
            "issued_at": codes.issued_at[code],
        }
    )
    k = REFERRAL_CODE_DIRTY_KINDS
    line = _csv(
        f"case when _dirty = {_kind(k, 'missing_referral_code')} then null else referral_code end",
        "link_token",
        _identifier("cus_", "owner_number"),
        "owner_email",
        "program_variant",
        _money(
            f"case when _dirty = {_kind(k, 'negative_reward_amount')} then -reward else reward end"
        ),
        f"'{catalog.CURRENCY}'",
        "offer_framing",
        _dirty_time("issued_at", _kind(k, "malformed_issued_at"), _kind(k, "future_issued_at")),
    )
    sql = f"select {line} || chr(10) from chunk"
    return _lines(con, table, sql)


def render_referral_events(
    con: duckdb.DuckDBPyConnection, chunk: pa.Table, store: Store
) -> pa.ChunkedArray:
    referred = chunk["referred_order"].to_numpy()
    has_friend = referred >= 0
    friend = np.where(has_friend, referred, 0)
    friend_number = np.where(has_friend, store.identity.customer_number[friend], 0)
    reward = chunk["reward"].to_numpy()
    table = pa.table(
        {
            "_dirty": chunk["_dirty"],
            "number": chunk["number"],
            "referral_code": pc.take(store.codes.code, chunk["code"]),
            "event_type": _texts(
                catalog.REFERRAL_EVENT_TYPES, chunk["event_type"].to_numpy().astype(np.int64)
            ),
            "occurred_at": chunk["occurred_at"],
            "share_channel": _texts(
                catalog.SHARE_CHANNELS, chunk["share_channel"].to_numpy().astype(np.int64)
            ),
            "friend_number": pa.array(friend_number, mask=friend_number == 0),
            "friend_email": pc.take(store.order_emails, pa.array(friend, mask=~has_friend)),
            "reward": pa.array(reward, mask=reward < 0),
        }
    )
    k = REFERRAL_EVENT_DIRTY_KINDS
    line = _csv(
        f"case when _dirty = {_kind(k, 'missing_event_id')} then null "
        f"else {_identifier('rev_', 'number', EVENT_ID_WIDTH)} end",
        "referral_code",
        f"case when _dirty = {_kind(k, 'unknown_event_type')} then 'sharedd' else event_type end",
        _dirty_time(
            "occurred_at", _kind(k, "malformed_occurred_at"), _kind(k, "future_occurred_at")
        ),
        "share_channel",
        _identifier("cus_", "friend_number"),
        "friend_email",
        _money("reward"),
    )
    sql = f"select {line} || chr(10) from chunk"
    return _lines(con, table, sql)


def render_messages(
    con: duckdb.DuckDBPyConnection, chunk: pa.Table, store: Store
) -> pa.ChunkedArray:
    message = chunk["message"].to_numpy()
    messages = store.messages
    customer = messages.customer[message]
    order = messages.order[message]
    has_order = order >= 0
    some_order = np.where(has_order, order, 0)
    # order flows address the checkout identity, the others the customer's profile
    number = np.where(
        has_order,
        store.identity.customer_number[some_order],
        store.customers.customer_number[customer],
    )
    email = pc.if_else(
        pa.array(has_order),
        pc.take(store.order_emails, some_order),
        pc.take(store.customer_emails, customer),
    )
    sms = messages.channel[message] == SMS
    phone = store.customers.phone[customer]
    table = pa.table(
        {
            "_dirty": chunk["_dirty"],
            "_variant": chunk["_variant"],
            "number": chunk["number"],
            "message_number": message + 1,
            "customer_number": pa.array(number, mask=number == 0),
            "email": email,
            "phone": pa.array(phone, mask=~sms),
            "order_number": pa.array(order + 1, mask=~has_order),
            "channel": _texts(catalog.CHANNELS, messages.channel[message].astype(np.int64)),
            "flow": _texts(catalog.FLOWS, messages.flow[message].astype(np.int64)),
            "event_type": _texts(
                catalog.MESSAGE_EVENT_TYPES, chunk["event_type"].to_numpy().astype(np.int64)
            ),
            "variant": _texts(catalog.MESSAGE_VARIANTS, messages.variant[message].astype(np.int64)),
            "occurred_at": chunk["occurred_at"],
        }
    )
    k = MESSAGE_DIRTY_KINDS
    sql = f"""
    with lines as (
        select _dirty, _variant, to_json(struct_pack(
            event_id := case when _dirty = {_kind(k, "missing_event_id")} then null
                else {_identifier("mev_", "number", EVENT_ID_WIDTH)} end,
            message_id := {_identifier("msg_", "message_number", EVENT_ID_WIDTH)},
            customer_id := {_identifier("cus_", "customer_number")},
            email := email,
            phone := '+1' || phone,
            order_id := {_identifier("ord_", "order_number")},
            channel := channel,
            flow := flow,
            event_type := case when _dirty = {_kind(k, "unknown_event_type")} then 'opend'
                else event_type end,
            variant := variant,
            occurred_at := case when _dirty = {_kind(k, "future_occurred_at")}
                then {_future_timestamp("occurred_at")} else {_timestamp("occurred_at")} end
        ))::varchar as line
        from chunk
    )
    select case
        when _dirty = {_kind(k, "missing_event_id")} and _variant = 1
            then replace(line, '"event_id":null,', '')
        when _dirty = {_kind(k, "unparseable_line")} then left(line, length(line) // 2)
        else line end || chr(10)
    from lines
    """
    return _lines(con, table, sql)
