"""Rules of ordering, named as the shop says them. Illegal transitions are 409s, each with its
own code so that a client can tell them apart."""

from domain.shared.errors import DomainError


class OrderNotFound(DomainError):
    """No such order, or not one this caller may see (a customer never learns which)."""


class EmptyOrder(DomainError):
    """An order has at least one line; checkout of an empty cart is refused."""


class MixedCurrencies(DomainError):
    """One order is paid in one currency."""


class InvalidAddress(DomainError):
    """A shipping address without a required part, or with a part too long."""


class IllegalTransition(DomainError):
    """The order is in a state where this is not possible."""


class OrderNotPaid(IllegalTransition):
    """Only paid orders are shipped."""


class OrderAlreadyShipped(IllegalTransition):
    """Shipped orders are neither cancelled nor shipped again under another tracking number."""


class OrderNotShipped(IllegalTransition):
    """Only shipped orders are delivered."""


class OrderNotCancellable(IllegalTransition):
    """Rejected, cancelled and refunded orders are over."""


class OrderNotRefundable(IllegalTransition):
    """Only money that was taken is given back: paid orders, or orders cancelled after payment."""


class OrderAlreadyRefunded(OrderNotRefundable):
    """Everything captured was refunded (or is being refunded) already."""


class NothingCaptured(OrderNotRefundable):
    """No money was captured yet: an authorised order is cancelled (voided), not refunded."""


class RefundExceedsCaptured(OrderNotRefundable):
    """The refunds of an order never add up to more than was captured (ADR 0037)."""


class PaymentNotCapturable(IllegalTransition):
    """Only an authorised, uncaptured, unvoided payment of a live order is captured."""


class AuthorisationExpired(IllegalTransition):
    """The provider no longer honours the authorisation: nothing can be captured."""


class PaymentMismatch(DomainError):
    """A payment result for another amount or currency than the order's total."""


class InvalidCartQuantity(DomainError):
    """A cart line holds between 1 and 999 units."""


class CartFull(DomainError):
    """A cart holds at most 100 lines."""


class ProductUnavailable(DomainError):
    """Only active products go into a cart (drafts and archived products do not)."""


class NotInCart(DomainError):
    """The cart has no line for this SKU."""


class UnknownProduct(DomainError):
    """No product in the catalog has this SKU."""


class CartNeedsReview(DomainError):
    """A line's product was archived or repriced since the customer last saw it: checkout waits
    until the customer confirms (sets the quantity again) or removes it."""


class EmailRequired(DomainError):
    """A guest's order needs an email address: it is the only way to reach the customer."""


class OrderNotClaimable(DomainError):
    """Only a guest's order is claimed, by an account with the email it was placed with."""


class ShippingMethodRequired(DomainError):
    """The shop ships with methods of its own: checkout names one offered to the address."""


class PaymentTokenRequired(DomainError):
    """Something is left to pay after gift cards: checkout needs a payment token."""


class EmailNotVerified(DomainError):
    """Only a verified email address proves that the guest orders placed with it are yours."""


class CurrencyMismatch(DomainError):
    """A price, a line or a gift card in another currency than the cart's: one cart, one
    currency, and the pipeline never converts."""


class ShippingNotOffered(DomainError):
    """The chosen shipping method is not offered to the address, or cannot carry this cart:
    another currency, too heavy, or no band for its measure."""


# -- returns (ADR 0039) ------------------------------------------------------------------------


class ReturnNotFound(DomainError):
    """No such return, or not one this caller may see."""


class ReturnWindowClosed(DomainError):
    """Returns are asked within the shop's window from delivery (or shipment)."""


class ReturnExceedsShipped(DomainError):
    """More units asked back than were shipped less what other returns already ask back."""


class InvalidReturn(DomainError):
    """A return of nothing, of a line twice, or without a reason."""


class ReturnNotApproved(IllegalTransition):
    """Only an approved return is received; only a requested one is approved or refused."""


class ReceiptExceedsReturn(DomainError):
    """More units received than the return approved, or a restock without a location."""


class UnknownLocation(DomainError):
    """No stock location has this code."""


class NotRefundable(DomainError):
    """Units the order does not have, or more than are left to come back and be refunded."""


# -- shipments (ADR 0038) ----------------------------------------------------------------------


class ShipmentExceedsOrder(IllegalTransition):
    """A shipment carries at most the units ordered and not shipped yet."""


class NotInOrder(DomainError):
    """A shipment names a SKU that no line of the order holds."""


class EmptyShipment(DomainError):
    """A shipment carries at least one unit."""


class ShipmentNotFound(DomainError):
    """The order has no shipment with this id."""


class ShipmentConflict(IllegalTransition):
    """A shipment id already recorded with other units or another tracking number."""
