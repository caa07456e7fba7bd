"""The store's rules, one module per concern. Views, admin and commands call these; nothing else
changes an order, a product on orders or a saved card.

| module | what |
|---|---|
| `pricing` | tax and totals (Decimal, half-up once per order) |
| `eligibility` | which lines a member may buy (availability, academic level, exclusive packages) |
| `checkout` | validate, create the pending order, charge once, hand over to fulfilment |
| `status` | `change_status`: the one function that changes an order's status, and writes its history |
| `fulfilment` | paid -> goods granted in one transaction; failed orders; the invoice e-mail |
| `reconciliation` | orders whose payment outcome was never recorded (`reconcile_payments`) |
| `refunds` | money back first, then the goods |
| `cards` | saved cards in the gateway's vault |
| `products` | deleting a product (refused while orders refer to it) |
| `payment_errors` | a gateway's typed failure -> the domain error a person reads |

Money and goods must always add up:
- the pending order is created in one transaction, the card is charged OUTSIDE any transaction
  (a rollback cannot un-charge a card) with the order's reference as `merchantRefNum`;
- the order is marked paid and the goods granted together, in one transaction, by a
  compare-and-set on the order's status, so that two processes (a checkout and
  `reconcile_payments`) can never grant twice;
- when the charge's outcome is unknown, the gateway is asked what happened to that reference
  before anything else; the card is never charged a second time;
- the invoice e-mail is sent after the commit, and its failure changes nothing.
"""
