## Sklad back office: English texts.

app-name = Sklad
app-tagline = Warehouse software for Bulgarian merchants

## Header and menus
skip-to-content = Skip to content
menu = Menu
menu-nomenclatures = Lists
menu-goods = Goods
menu-partners = Partners
menu-objects = Objects
menu-operations = Operations
menu-delivery = Delivery
menu-sale = Sale
menu-order = Order
menu-transfer = Transfer
menu-stock-taking = Stock-taking
menu-write-off = Write-off
menu-open-orders = Open orders
menu-operation-list = Operation list
menu-reports = Reports
menu-stock = Stock
menu-firm = Firm
menu-payment-types = Payment types
menu-price-groups = Price groups
menu-admin = Administration
menu-users = Users
menu-backup = Firm backup
menu-shops = E-shop connections
header-firm = Firm
header-switch-firm = Switch firm
header-language = Language
header-logout = Log out
lang-bg = Български
lang-en = English

## Common
save = Save
cancel = Cancel
search = Search
filter = Filter
clear = Clear
new = New
edit = Edit
back = Back
yes = Yes
no = No
all = All
active = Active
inactive = Inactive
actions = Actions
none = —
page-of = Page { $page }
previous = Previous
next = Next
total-count = Total: { $count }
saved = Saved.
form-has-errors = The form has errors. Please correct the marked fields.
empty-list = Nothing here yet.
required-mark = required

## Errors
error-title = Error
error-forbidden-title = Access denied
error-forbidden = You may not open this page. Ask the firm's owner.
error-csrf = The form has expired or was not sent by Sklad. Open the page again and retry.
error-not-found-title = Page not found
error-not-found = What you are looking for does not exist or belongs to another firm.
error-internal = Something went wrong. Please retry; if it persists, tell your administrator.
error-bad-request = The request is invalid.
error-method = This page cannot be opened this way. Use the buttons and menus of Sklad.
error-home = Go to the start page
error-choice-invalid = Choose one of the offered values.
error-date-invalid = Enter a date, e.g. 28.11.2026.

## Login
login-title = Log in
login-login = User name
login-password = Password
login-submit = Log in
login-failed = Wrong user name or password.
logged-out = You have logged out.

## Home
home-title = Start
home-welcome = Welcome, { $name }!
home-round = A usual day: receive goods, take a client's order, sell, check the stock.
home-start-delivery = New delivery
home-start-order = New order
home-start-good = New good
home-view-stock = Stock

## Goods
goods-title = Goods list
goods-new = New good
goods-edit = Good
goods-search = Code, barcode or name
goods-code = Code
goods-barcodes = Barcodes
goods-barcode = Barcode
goods-add-barcode = Add barcode
goods-name = Name
goods-measure = Measure
goods-kind = Kind
goods-kind-good = Good
goods-kind-service = Service
goods-vat = VAT rate
goods-group = Group
goods-retail-price = Retail price
goods-active = Active
goods-prices = Prices (VAT incl.)
goods-price-hint = Amount incl. VAT, e.g. 12.50
goods-status = Status
goods-only-active = Active only
goods-only-inactive = Inactive only

## Partners
partners-title = Partners
partners-new = New partner
partners-edit = Partner
partners-search = Name, company id or e-mail
partner-name = Name
partner-eik = Company id (EIK / Bulstat / EGN)
partner-vat = VAT number
partner-mol = Responsible person (MOL)
partner-address = Address
partner-city = City
partner-phone = Phone
partner-email = E-mail
partner-role = Role
partner-role-client = Client
partner-role-supplier = Supplier
partner-role-both = Client and supplier
partner-price-group = Price group

## Objects
objects-title = Objects
objects-new = New object
objects-edit = Object
object-name = Name
object-kind = Kind
object-kind-shop = Shop
object-kind-warehouse = Warehouse
object-price-group = Sells at price group
object-active = Active

## Payment types
payment-types-title = Payment types
payment-types-new = New payment type
payment-types-edit = Payment type
payment-type-name = Name
payment-type-method = Payment method
method-cash = Cash
method-bank-transfer = Bank transfer
method-card = Card
method-voucher = Voucher
method-cash-on-delivery = Cash on delivery
payment-type-active = Active

## Price groups
price-groups-title = Price groups
price-groups-intro = Every good has 11 prices: the purchase price and ten selling price groups. Objects and partners sell at a chosen group.
price-group-key = Code in the API and imports
price-group-name = Price group
price-group-objects = Objects with this group

## Operations
operations-title = Operations
operation-new = New operation: { $kind }
operation-view = Operation
operation-edit = Editing: { $kind }
operation-number = Number
operation-kind = Kind
operation-date = Date
operation-object = Object
operation-target-object = To object
operation-partner = Partner
operation-payment-type = Payment type
operation-currency = Currency
operation-note = Note
operation-status = Status
status-active = Active
status-annulled = Annulled
status-converted = Converted to a sale
operation-lines = Lines
line-good = Good (code or barcode)
line-quantity = Quantity
line-price = Unit price incl. VAT
line-discount = Discount %
line-vat = VAT
line-total = Amount
line-add = Add line
line-remove = Remove
totals-net = Net
totals-vat = VAT
totals-gross = Total incl. VAT
totals-other-currency = Equivalent
operation-save = Save the operation
operation-saved = The operation has been saved.
operation-convert = Convert to sale
operation-converted = The order has been converted to a sale.
operation-annul = Annul
operation-annul-confirm = Annul this operation? Its stock movements will be reversed.
operation-annulled = The operation has been annulled.
operation-converted-to = Sale made from this order
operations-filter-kind = Kind
operations-filter-status = Status
no-partner = (no partner)
good-not-found = No good has the code or barcode "{ $code }".

## Stock
stock-title = Stock
stock-object = Object
stock-on-hand = On hand
stock-reserved = Reserved
stock-available = Available
stock-measure = Measure

## Users
users-title = Users
users-new = New user
user-login = User name
user-display-name = Name
user-password = Password
user-role = Role
role-owner = Owner
role-operator = Operator
user-language = Language

## Backup
backup-title = Firm backup
backup-intro = The archive holds all of the firm's data and can be restored as a new firm. Make one before the first e-shop synchronization.
backup-download = Download archive
restore-title = Restore from an archive
restore-file = Archive file
restore-name = Name of the new firm (optional)
restore-upload = Continue
restore-confirm-title = Confirm the restore
restore-confirm-text = The archive has been checked: firm "{ $firm }". A NEW firm will be created with its data; the current firm stays as it is.
restore-created = Created on
restore-confirm = Restore
restore-done = The firm has been restored as "{ $firm }".
restore-missing-file = Choose an archive file.
restore-expired = The confirmation has expired. Upload the archive again.

## E-shop connections
shops-title = E-shop connections
shops-new = New connection
shops-empty = There are no e-shop connections yet.
shops-coming = The CloudCart connection (API key, shop address, synchronization of goods, stock and orders) comes with the synchronization module. Until then there is nothing to set up here.
shops-coming-title = New e-shop connection
