"""E*TRADE v1 wire models, with E*TRADE's own field names and wrappers (JSON form).

Sources: https://apisb.etrade.com/docs/api/account/ and /docs/api/order/ and /docs/api/market/,
recorded payloads in daironmichel/toolsbackbone:trader/tests/data/etrade/ and
jessecooper/pyetrade:tests/*.xml (see tests/fixtures/etrade/README.md). Models ignore fields
they do not name and accept a single object where E*TRADE sends a list (its XML-to-JSON
heritage). Numbers stay Decimal. Times are epoch milliseconds in orders and transactions,
epoch seconds in quotes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

T = TypeVar("T")


def _listify(value: Any) -> Any:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


ListOf = Annotated[list[T], BeforeValidator(_listify)]


class Wire(BaseModel):
    """Base of every E*TRADE wire model: unknown fields ignored, names as on the wire."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ProductId(Wire):
    symbol: str | None = None


class Product(Wire):
    """An instrument: ``symbol`` is the underlying for options (securityType OPTN)."""

    symbol: str
    securityType: str = "EQ"
    callPut: str | None = None
    expiryYear: int | None = None
    expiryMonth: int | None = None
    expiryDay: int | None = None
    strikePrice: Decimal | None = None
    productId: ProductId | None = None


_Product = Product


class Account(Wire):
    accountId: str
    accountIdKey: str
    accountMode: str | None = None
    accountDesc: str | None = None
    accountName: str | None = None
    accountType: str | None = None
    institutionType: str | None = None
    accountStatus: str | None = None


_Account = Account


class Accounts(Wire):
    Account: ListOf[_Account] = Field(default_factory=list)


_Accounts = Accounts


class AccountListBody(Wire):
    Accounts: _Accounts


class AccountListResponse(Wire):
    AccountListResponse: AccountListBody


class RealTimeValues(Wire):
    totalAccountValue: Decimal | None = None
    netMv: Decimal | None = None
    netMvLong: Decimal | None = None
    netMvShort: Decimal | None = None


_RealTimeValues = RealTimeValues


class Computed(Wire):
    cashAvailableForInvestment: Decimal | None = None
    cashBalance: Decimal | None = None
    netCash: Decimal | None = None
    cashBuyingPower: Decimal | None = None
    marginBuyingPower: Decimal | None = None
    dtMarginBuyingPower: Decimal | None = None
    accountBalance: Decimal | None = None
    RealTimeValues: _RealTimeValues | None = None


_Computed = Computed


class BalanceBody(Wire):
    accountId: str
    accountType: str | None = None
    accountDescription: str | None = None
    accountMode: str | None = None
    Computed: _Computed


class BalanceResponse(Wire):
    BalanceResponse: BalanceBody


class Quick(Wire):
    lastTrade: Decimal | None = None
    lastTradeTime: int | None = None


_Quick = Quick


class Position(Wire):
    positionId: int
    symbolDescription: str | None = None
    dateAcquired: int | None = None
    pricePaid: Decimal | None = None
    quantity: Decimal
    positionType: str = "LONG"
    marketValue: Decimal | None = None
    totalCost: Decimal | None = None
    totalGain: Decimal | None = None
    totalGainPct: Decimal | None = None
    costPerShare: Decimal | None = None
    osiKey: str | None = None
    Product: _Product
    Quick: _Quick | None = None


_Position = Position


class AccountPortfolio(Wire):
    accountId: str
    totalPages: int = 1
    Position: ListOf[_Position] = Field(default_factory=list)


_AccountPortfolio = AccountPortfolio


class PortfolioTotals(Wire):
    """The ``Totals`` node sent with ``totalsRequired=true``, beside ``AccountPortfolio``.

    Field names as E*TRADE's portfolio docs and SDK models name them (see
    tests/fixtures/etrade/README.md); gains are in dollars, ``*Pct`` in percent.
    """

    todaysGainLoss: Decimal | None = None
    todaysGainLossPct: Decimal | None = None
    totalMarketValue: Decimal | None = None
    totalGainLoss: Decimal | None = None
    totalGainLossPct: Decimal | None = None
    totalPricePaid: Decimal | None = None
    cashBalance: Decimal | None = None


class PortfolioBody(Wire):
    AccountPortfolio: ListOf[_AccountPortfolio] = Field(default_factory=list)
    Totals: PortfolioTotals | None = None


class PortfolioResponse(Wire):
    PortfolioResponse: PortfolioBody


class TransactionProduct(Wire):
    symbol: str | None = None
    securityType: str | None = None


class Brokerage(Wire):
    """The lower-case ``brokerage`` node of a transaction (as E*TRADE spells it)."""

    product: TransactionProduct | None = None
    quantity: Decimal | None = None
    price: Decimal | None = None
    fee: Decimal | None = None


class Transaction(Wire):
    transactionId: str
    accountId: str | None = None
    transactionDate: int
    amount: Decimal
    description: str | None = None
    transactionType: str
    brokerage: Brokerage | None = None


_Transaction = Transaction


class TransactionListBody(Wire):
    marker: str | None = None
    moreTransactions: bool = False
    Transaction: ListOf[_Transaction] = Field(default_factory=list)


class TransactionListResponse(Wire):
    TransactionListResponse: TransactionListBody


class Message(Wire):
    code: int | None = None
    description: str | None = None
    type: str | None = None


_Message = Message


class Messages(Wire):
    Message: ListOf[_Message] = Field(default_factory=list)


class OrderInstrument(Wire):
    symbolDescription: str | None = None
    orderAction: str
    quantityType: str = "QUANTITY"
    orderedQuantity: Decimal | None = None
    quantity: Decimal | None = None
    filledQuantity: Decimal | None = None
    averageExecutionPrice: Decimal | None = None
    estimatedCommission: Decimal | None = None
    Product: _Product


class OrderDetail(Wire):
    placedTime: int | None = None
    executedTime: int | None = None
    status: str | None = None
    orderTerm: str
    priceType: str
    limitPrice: Decimal | None = None
    stopPrice: Decimal | None = None
    marketSession: str | None = None
    allOrNone: bool | None = None
    estimatedCommission: Decimal | None = None
    estimatedTotalAmount: Decimal | None = None
    messages: Messages | None = None
    Instrument: ListOf[OrderInstrument] = Field(default_factory=list)


_OrderDetail = OrderDetail


class Order(Wire):
    orderId: int
    orderType: str | None = None
    OrderDetail: ListOf[_OrderDetail] = Field(default_factory=list)


_Order = Order


class OrdersBody(Wire):
    marker: str | None = None
    Order: ListOf[_Order] = Field(default_factory=list)


class OrdersResponse(Wire):
    OrdersResponse: OrdersBody


class PreviewId(Wire):
    previewId: int


class OrderId(Wire):
    orderId: int


class PreviewOrderBody(Wire):
    orderType: str | None = None
    totalOrderValue: Decimal | None = None
    previewTime: int | None = None
    accountId: str | None = None
    Order: ListOf[OrderDetail] = Field(default_factory=list)
    PreviewIds: ListOf[PreviewId] = Field(default_factory=list)


class PreviewOrderResponse(Wire):
    PreviewOrderResponse: PreviewOrderBody


class PlaceOrderBody(Wire):
    orderType: str | None = None
    placedTime: int | None = None
    accountId: str | None = None
    Order: ListOf[OrderDetail] = Field(default_factory=list)
    OrderIds: ListOf[OrderId] = Field(default_factory=list)


class PlaceOrderResponse(Wire):
    PlaceOrderResponse: PlaceOrderBody


class CancelOrderBody(Wire):
    accountId: str | None = None
    orderId: int
    cancelTime: int | None = None


class CancelOrderResponse(Wire):
    CancelOrderResponse: CancelOrderBody


class AllQuote(Wire):
    ask: Decimal | None = None
    askSize: Decimal | None = None
    bid: Decimal | None = None
    bidSize: Decimal | None = None
    lastTrade: Decimal | None = None
    totalVolume: Decimal | None = None


class QuoteData(Wire):
    dateTimeUTC: int
    quoteStatus: str | None = None
    All: AllQuote | None = None
    Product: _Product


_QuoteData = QuoteData


class QuoteBody(Wire):
    QuoteData: ListOf[_QuoteData] = Field(default_factory=list)


class QuoteResponse(Wire):
    QuoteResponse: QuoteBody


class ExpirationDate(Wire):
    year: int
    month: int
    day: int
    expiryType: str | None = None


_ExpirationDate = ExpirationDate


class OptionExpireDateBody(Wire):
    ExpirationDate: ListOf[_ExpirationDate] = Field(default_factory=list)


class OptionExpireDateResponse(Wire):
    OptionExpireDateResponse: OptionExpireDateBody


class OptionGreeks(Wire):
    rho: Decimal | None = None
    vega: Decimal | None = None
    theta: Decimal | None = None
    delta: Decimal | None = None
    gamma: Decimal | None = None
    iv: Decimal | None = None


_OptionGreeks = OptionGreeks


class OptionDetails(Wire):
    optionRootSymbol: str | None = None
    optionType: str
    strikePrice: Decimal
    symbol: str
    bid: Decimal | None = None
    ask: Decimal | None = None
    volume: Decimal | None = None
    openInterest: int | None = None
    lastPrice: Decimal | None = None
    osiKey: str
    OptionGreeks: _OptionGreeks | None = None


class OptionPair(Wire):
    Call: OptionDetails | None = None
    Put: OptionDetails | None = None


_OptionPair = OptionPair


class SelectedED(Wire):
    day: int
    month: int
    year: int


_SelectedED = SelectedED


class OptionChainBody(Wire):
    OptionPair: ListOf[_OptionPair] = Field(default_factory=list)
    timeStamp: int | None = None
    nearPrice: Decimal | None = None
    SelectedED: _SelectedED | None = None


class OptionChainResponse(Wire):
    OptionChainResponse: OptionChainBody


class ErrorBody(Wire):
    code: int
    message: str


class ErrorResponse(Wire):
    """E*TRADE's error payload ``{"Error": {"code", "message"}}``."""

    Error: ErrorBody
