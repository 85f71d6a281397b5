## Sklad back office: Bulgarian texts (default).

app-name = Склад
app-tagline = Складов софтуер за български търговци

## Header and menus
skip-to-content = Към съдържанието
menu = Меню
menu-nomenclatures = Номенклатури
menu-goods = Стоки
menu-partners = Партньори
menu-objects = Обекти
menu-operations = Операции
menu-delivery = Доставка
menu-sale = Продажба
menu-order = Поръчка
menu-transfer = Трансфер
menu-stock-taking = Ревизия
menu-write-off = Изписване
menu-open-orders = Чакащи поръчки
menu-operation-list = Списък операции
menu-reports = Справки
menu-stock = Наличности
menu-firm = За фирмата
menu-payment-types = Типове плащания
menu-price-groups = Ценови групи
menu-admin = Администриране
menu-users = Потребители
menu-backup = Архивиране на фирма
menu-shops = Връзка с ел. магазини
header-firm = Фирма
header-switch-firm = Смени фирмата
header-language = Език
header-logout = Изход
lang-bg = Български
lang-en = English

## Common
save = Запази
cancel = Отказ
search = Търси
filter = Филтрирай
clear = Изчисти
new = Нов
edit = Редактирай
back = Назад
yes = Да
no = Не
all = Всички
active = Активна
inactive = Неактивна
actions = Действия
none = —
page-of = Страница { $page }
previous = Предишна
next = Следваща
total-count = Общо: { $count }
saved = Записано.
form-has-errors = Има грешки във формата. Поправете отбелязаните полета.
empty-list = Няма записи.
required-mark = задължително

## Errors
error-title = Грешка
error-forbidden-title = Достъпът е отказан
error-forbidden = Нямате права за тази страница. Обърнете се към собственика на фирмата.
error-csrf = Формата е изтекла или не е изпратена от Склад. Отворете страницата отново и опитайте пак.
error-not-found-title = Няма такава страница
error-not-found = Търсеното не съществува или е на друга фирма.
error-internal = Възникна неочаквана грешка. Опитайте отново; ако се повтаря, съобщете на администратора.
error-bad-request = Заявката е невалидна.
error-method = Тази страница не се отваря така. Използвайте бутоните и менютата на Склад.
error-home = Към началото
error-choice-invalid = Изберете една от предложените стойности.
error-date-invalid = Въведете дата, напр. 28.11.2026.

## Login
login-title = Вход
login-login = Потребител
login-password = Парола
login-submit = Влез
login-failed = Грешен потребител или парола.
logged-out = Излязохте от системата.

## Home
home-title = Начало
home-welcome = Добре дошли, { $name }!
home-round = Обичайният ден: доставка на стока, поръчка от клиент, продажба, поглед в наличностите.
home-start-delivery = Нова доставка
home-start-order = Нова поръчка
home-start-good = Нова стока
home-view-stock = Наличности

## Goods
goods-title = Списък стоки
goods-new = Нова стока
goods-edit = Стока
goods-search = Код, баркод или име
goods-code = Код
goods-barcodes = Баркодове
goods-barcode = Баркод
goods-add-barcode = Добави баркод
goods-name = Име
goods-measure = Мярка
goods-kind = Вид
goods-kind-good = Стока
goods-kind-service = Услуга
goods-vat = ДДС ставка
goods-group = Група
goods-retail-price = Цена на дребно
goods-active = Активна
goods-prices = Цени (с ДДС)
goods-price-hint = Сума с ДДС, напр. 12,50
goods-status = Състояние
goods-only-active = Само активни
goods-only-inactive = Само неактивни

## Partners
partners-title = Партньори
partners-new = Нов партньор
partners-edit = Партньор
partners-search = Име, ЕИК или e-mail
partner-name = Име
partner-eik = ЕИК / Булстат / ЕГН
partner-vat = ДДС номер
partner-mol = МОЛ
partner-address = Адрес
partner-city = Град
partner-phone = Телефон
partner-email = E-mail
partner-role = Роля
partner-role-client = Клиент
partner-role-supplier = Доставчик
partner-role-both = Клиент и доставчик
partner-price-group = Ценова група

## Objects
objects-title = Обекти
objects-new = Нов обект
objects-edit = Обект
object-name = Име
object-kind = Вид
object-kind-shop = Магазин
object-kind-warehouse = Склад
object-price-group = Продава по ценова група
object-active = Активен

## Payment types
payment-types-title = Типове плащания
payment-types-new = Нов тип плащане
payment-types-edit = Тип плащане
payment-type-name = Име
payment-type-method = Начин на плащане
method-cash = В брой
method-bank-transfer = По банка
method-card = С карта
method-voucher = Ваучер
method-cash-on-delivery = Наложен платеж
payment-type-active = Активен

## Price groups
price-groups-title = Ценови групи
price-groups-intro = Всяка стока има 11 цени: доставна и десет продажни ценови групи. Обектите и партньорите продават по избрана група.
price-group-key = Код в API и при внос
price-group-name = Ценова група
price-group-objects = Обекти с тази група

## Operations
operations-title = Операции
operation-new = Нова операция: { $kind }
operation-view = Операция
operation-edit = Редактиране: { $kind }
operation-number = Номер
operation-kind = Вид
operation-date = Дата
operation-object = Обект
operation-target-object = Към обект
operation-partner = Партньор
operation-payment-type = Тип плащане
operation-currency = Валута
operation-note = Бележка
operation-status = Статус
status-active = Активна
status-annulled = Анулирана
status-converted = Превърната в продажба
operation-lines = Редове
line-good = Стока (код или баркод)
line-quantity = Количество
line-price = Ед. цена с ДДС
line-discount = Отстъпка %
line-vat = ДДС
line-total = Стойност
line-add = Добави ред
line-remove = Премахни
totals-net = Без ДДС
totals-vat = ДДС
totals-gross = Общо с ДДС
totals-other-currency = Равностойност
operation-save = Запиши операцията
operation-saved = Операцията е записана.
operation-convert = Превърни в продажба
operation-converted = Поръчката е превърната в продажба.
operation-annul = Анулирай
operation-annul-confirm = Да се анулира ли операцията? Наличностите ще бъдат върнати.
operation-annulled = Операцията е анулирана.
operation-converted-to = Продажба по тази поръчка
operations-filter-kind = Вид
operations-filter-status = Статус
no-partner = (без партньор)
good-not-found = Няма стока с код или баркод „{ $code }“.

## Stock
stock-title = Наличности
stock-object = Обект
stock-on-hand = Наличност
stock-reserved = Резервирано
stock-available = Свободно
stock-measure = Мярка

## Users
users-title = Потребители
users-new = Нов потребител
user-login = Потребителско име
user-display-name = Име
user-password = Парола
user-role = Роля
role-owner = Собственик
role-operator = Оператор
user-language = Език

## Backup
backup-title = Архивиране на фирма
backup-intro = Архивът съдържа всички данни на фирмата и може да се възстанови като нова фирма. Препоръчваме архив преди първата синхронизация с ел. магазин.
backup-download = Изтегли архив
restore-title = Възстановяване от архив
restore-file = Файл с архив
restore-name = Име на новата фирма (по желание)
restore-upload = Продължи
restore-confirm-title = Потвърдете възстановяването
restore-confirm-text = Архивът е проверен: фирма „{ $firm }“. Ще бъде създадена НОВА фирма с тези данни; текущата фирма остава непроменена.
restore-created = Създаден на
restore-confirm = Възстанови
restore-done = Фирмата е възстановена като „{ $firm }“.
restore-missing-file = Изберете файл с архив.
restore-expired = Потвърждението е изтекло. Качете архива отново.

## E-shop connections
shops-title = Връзка с ел. магазини
shops-new = Нова връзка
shops-empty = Все още няма връзки с ел. магазини.
shops-coming = Връзката с CloudCart (API ключ, адрес на магазина, синхронизация на стоки, наличности и поръчки) идва с модула за синхронизация. Дотогава тук няма какво да се настрои.
shops-coming-title = Нова връзка с ел. магазин
