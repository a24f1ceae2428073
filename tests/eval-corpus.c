/* eval-corpus.c — the evaluation documents: a residential lease (PDF), a
 * hypertension guideline (HTML), an espresso machine manual (DOCX) and an
 * employee handbook (PDF). Original prose with invented, specific facts;
 * the questions that go with it are in tests/eval/questions.json.
 *
 * PDF page texts stay under ~330 words so each given page is one PDF page
 * (pdfgen.h); the evaluation's --check-corpus verifies the page counts and
 * that every question's supporting text is on its page. */
#include "tests/eval-corpus.h"

#include <errno.h>

#include <gio/gio.h>

#include "tests/pdfgen.h"
#include "tests/zipgen.h"

/* ---- the lease (PDF, 5 pages) --------------------------------------------- */

static const char *const lease_pages[] = {
  /* page 1: parties, premises, term, occupants */
  "# Residential Lease Agreement\n\n"
  "This Residential Lease Agreement is made on 3 March 2025 between Harwick "
  "Property Management LLC, acting for the owner Margaret Ellery (the "
  "Landlord), and Daniel Okafor and Priya Raman (the Tenants), who are "
  "jointly and severally responsible for every obligation in it.\n\n"
  "# 1. Premises\n\n"
  "The Landlord lets to the Tenants the two-bedroom apartment at 14 Alder "
  "Row, Apartment 3B, Brookfield, together with one assigned parking place "
  "(space number 17) and a storage locker in the basement (locker C-4). The "
  "apartment is let unfurnished, except for the refrigerator, the electric "
  "range and the dishwasher, which remain the property of the Landlord and "
  "must be left in the apartment at the end of the tenancy.\n\n"
  "# 2. Term\n\n"
  "The tenancy begins on 1 April 2025 and ends on 31 March 2026, a fixed "
  "term of twelve months. If neither party gives notice under section 9, "
  "the tenancy continues after the fixed term from month to month on the "
  "same terms.\n\n"
  "# 3. Occupants and guests\n\n"
  "Only the Tenants and their daughter, Ada Okafor, may live in the "
  "apartment. A guest may stay for no more than 14 consecutive nights, and "
  "for no more than 30 nights in any twelve-month period, unless the "
  "Landlord has agreed in writing. The Tenants are responsible for the "
  "conduct of their guests in the apartment and in the common areas of the "
  "building.",

  /* page 2: rent, late payment, increases, deposit */
  "# 4. Rent\n\n"
  "The monthly rent is $1,850, payable in advance on or before the 1st day "
  "of each calendar month. Rent is paid by bank transfer to the account "
  "named in Schedule A or through the Harwick tenant portal; cash is not "
  "accepted. The rent for April 2025 and the security deposit are due when "
  "this agreement is signed.\n\n"
  "# 5. Late payment\n\n"
  "If rent has not been received by the end of the 5th day of the month, a "
  "late fee of $75 is charged, plus $10 for each further day the rent "
  "remains unpaid, up to a maximum of $175 in late fees for any one month. "
  "A payment returned by the bank for insufficient funds carries a charge "
  "of $35, and after two returned payments the Landlord may require all "
  "future rent to be paid by certified check.\n\n"
  "# 6. Rent increases\n\n"
  "The rent is fixed for the initial term. After that the Landlord may "
  "raise the rent no more than once in any twelve-month period, and only "
  "after giving the Tenants at least 90 days' written notice of the new "
  "amount.\n\n"
  "# 7. Security deposit\n\n"
  "The Tenants pay a security deposit of $2,775, equal to one and a half "
  "months' rent. The deposit is held in a separate interest-bearing account "
  "at Brookfield Savings Bank. The Landlord returns the deposit, with an "
  "itemised list of any deductions, within 21 days after the Tenants move "
  "out and hand back all keys. Deductions may be made only for unpaid rent, "
  "for cleaning beyond normal wear and tear, and for damage caused by the "
  "Tenants or their guests.",

  /* page 3: utilities, ending the tenancy, pets */
  "# 8. Utilities\n\n"
  "The Landlord pays for water, sewer and trash collection. The Tenants pay "
  "for electricity, gas, internet and any cable or streaming service, and "
  "must open the electricity and gas accounts in their own names before "
  "the tenancy begins.\n\n"
  "# 9. Ending the tenancy\n\n"
  "Either party may end the tenancy at the end of the fixed term, or at any "
  "time during a month-to-month tenancy, by giving at least 60 days' "
  "written notice. Notice from the Tenants must be sent by email to "
  "leasing@harwickpm.example or handed in at the Harwick office at 220 Mill "
  "Street; a text message is not valid notice. If the Tenants leave before "
  "the fixed term ends, they remain liable for the rent until a replacement "
  "tenant approved by the Landlord moves in or the term ends, whichever "
  "comes first, and they pay a re-letting fee of $500.\n\n"
  "# 10. Pets\n\n"
  "The Tenants may keep one cat or one dog weighing less than 25 kg (55 "
  "lb). A pet deposit of $400 is payable before the animal moves in, "
  "together with a monthly pet fee of $35 added to the rent. Dogs of any "
  "size must be kept on a leash in the common areas. Caged birds, and fish "
  "in tanks of up to 75 litres, are allowed without a pet deposit. "
  "Reptiles, rabbits and rodents are not permitted. The Tenants must have "
  "the carpets professionally cleaned at the end of the tenancy if a cat "
  "or dog has lived in the apartment.",

  /* page 4: repairs, entry, subletting */
  "# 11. Repairs and maintenance\n\n"
  "The Tenants must report any defect or damage through the tenant portal "
  "as soon as they notice it. The Landlord repairs urgent problems (no "
  "heat, no hot water, a smell of gas, a water leak, a broken entrance lock "
  "or a power failure in the whole apartment) within 24 hours of the "
  "report, and all other repairs within 14 days. The emergency maintenance "
  "line, staffed around the clock, is 555-0142.\n\n"
  "The Tenants pay for repairing damage caused by their own negligence. "
  "They replace light bulbs and smoke alarm batteries themselves, and they "
  "change the furnace filter every three months with filters supplied by "
  "the Landlord. The Tenants may not hire their own contractor for a "
  "repair costing more than $150 without the Landlord's written approval.\n\n"
  "# 12. Entry by the Landlord\n\n"
  "The Landlord may enter the apartment to inspect it, to carry out repairs "
  "or to show it to prospective tenants or buyers after giving at least 48 "
  "hours' notice, between 9 a.m. and 6 p.m. on weekdays. No notice is "
  "needed in an emergency.\n\n"
  "# 13. Subletting and assignment\n\n"
  "The Tenants may not sublet the apartment, in whole or in part, or assign "
  "this lease, without the Landlord's prior written consent, which will "
  "not be unreasonably withheld. A request to sublet must be made at least "
  "30 days before the proposed start and must name the subtenant, who has "
  "to pass the same credit check as the Tenants; the processing fee is "
  "$100. Short-term rentals through Airbnb or similar platforms are "
  "prohibited in every case.",

  /* page 5: alterations, smoking, insurance, keys, signatures */
  "# 14. Alterations\n\n"
  "The Tenants may hang pictures with small nails, and may paint interior "
  "walls only in colours from the Landlord's approved palette, restoring "
  "the original white before they move out. No lock may be changed or "
  "added.\n\n"
  "# 15. Smoking and quiet hours\n\n"
  "Smoking of any substance is prohibited inside the apartment, on the "
  "balcony and within 8 metres of the building entrance. Quiet hours are "
  "from 10 p.m. to 7 a.m. every day.\n\n"
  "# 16. Renter's insurance\n\n"
  "The Tenants must hold renter's insurance with at least $300,000 of "
  "personal liability cover for the whole tenancy, and send a copy of the "
  "policy to the Landlord every year. The Landlord's own insurance does "
  "not cover the Tenants' belongings.\n\n"
  "# 17. Keys\n\n"
  "The Tenants receive two apartment keys, two building fobs and one "
  "mailbox key. A lost fob is replaced for $40; a lost apartment key means "
  "the lock is changed at the Tenants' cost of $120.\n\n"
  "# Signatures\n\n"
  "Signed at Brookfield on 3 March 2025. For the Landlord: Thomas Brennan, "
  "Property Manager, Harwick Property Management LLC. The Tenants: Daniel "
  "Okafor and Priya Raman.",
};

/* ---- the employee handbook (PDF, 5 pages) --------------------------------- */

static const char *const handbook_pages[] = {
  /* page 1: welcome, hours, probation, notice */
  "# Kestrel Data Systems: Employee Handbook\n\n"
  "Welcome to Kestrel Data Systems. This handbook explains how we work "
  "together and what you can expect from the company. It applies to every "
  "permanent employee from 1 January 2025 and replaces all earlier "
  "versions. Where your employment contract says something different, your "
  "contract wins.\n\n"
  "# Working hours\n\n"
  "A full-time working week is 37.5 hours. We work flexibly, but everyone "
  "is expected to be available during our core hours, which are 10:00 to "
  "15:00, Monday to Friday. Outside the core hours you choose when to "
  "start and finish, in agreement with your team. Overtime is not paid; "
  "extra hours agreed with your manager are given back as time off within "
  "two months.\n\n"
  "# Probation\n\n"
  "Every new employee starts with a probation period of six months. Your "
  "manager meets you after three months to review how things are going, "
  "and confirms your appointment in writing at the end of the probation "
  "period. Probation may be extended once, by up to three months.\n\n"
  "# Notice periods\n\n"
  "During probation, either side may end the employment with one week's "
  "notice. After probation, the notice period is one month for employees "
  "and three months for managers and team leads. Notice must be given in "
  "writing to your manager and to People Operations. Unused annual leave "
  "is paid out or taken during the notice period, as agreed with your "
  "manager.",

  /* page 2: leave */
  "# Annual leave\n\n"
  "Full-time employees receive 25 days of paid annual leave each calendar "
  "year, in addition to public holidays. After every two complete years of "
  "service you receive one extra day, up to a maximum of 30 days. Part-time "
  "employees receive leave in proportion to their contracted hours. Leave "
  "of more than two consecutive weeks must be requested at least one month "
  "in advance. You may carry over up to 5 unused days into the next year; "
  "they must be taken by 31 March or they are lost.\n\n"
  "# Sick leave\n\n"
  "If you are ill, tell your manager before 10:00 on the first day of "
  "absence. You may certify your own sickness for up to 7 calendar days; "
  "for an absence of more than 7 calendar days we need a fit note from a "
  "doctor. Kestrel pays full salary for up to 20 working days of sickness "
  "in any rolling twelve months, and half salary for a further 20 days.\n\n"
  "# Parental leave\n\n"
  "After one year of service, the primary caregiver of a new child, by "
  "birth or adoption, receives 26 weeks of parental leave at full pay, "
  "followed by up to 26 further weeks unpaid. The other parent receives 4 "
  "weeks at full pay, to be taken within the first year.\n\n"
  "# Other leave\n\n"
  "On the death of a close family member (partner, child, parent, sibling "
  "or grandparent) you receive 5 days of paid bereavement leave. Every "
  "employee may also take 2 days of paid volunteering leave per year to "
  "work for a registered charity.",

  /* page 3: remote work, equipment */
  "# Remote and hybrid work\n\n"
  "Most roles at Kestrel are hybrid. You may work from home for up to 3 "
  "days per week. Tuesday is our team day: everyone is in the office on "
  "Tuesdays unless they are ill, on leave or travelling for work. Roles "
  "that need to be on site, such as reception and facilities, are agreed "
  "individually.\n\n"
  "Working from another country is possible for up to 20 working days per "
  "calendar year, because of tax and insurance rules. Ask People "
  "Operations at least 4 weeks before you plan to travel; they check the "
  "destination and confirm in writing. Working from abroad without "
  "approval is a disciplinary matter.\n\n"
  "# Home office support\n\n"
  "To set up a safe workspace at home, you may claim a one-off home office "
  "allowance of $600 for a desk, a chair or a monitor, within your first "
  "six months. We also contribute $30 per month towards your home internet "
  "connection, paid with your salary. Your home workspace must meet the "
  "checklist on the intranet, which you confirm once a year.\n\n"
  "# Equipment\n\n"
  "Every employee receives a laptop, a headset and a phone if the role "
  "requires one. Laptops are replaced every 3 years, or sooner if they "
  "fail. Company equipment stays the property of Kestrel and must be "
  "returned on your last working day.",

  /* page 4: expenses and travel */
  "# Expenses\n\n"
  "Kestrel reimburses reasonable costs you incur on company business. "
  "Submit every claim in the Ledgerly app within 30 days of the expense; "
  "older claims are paid only with the approval of the Finance Director. "
  "A receipt is required for any expense over $25. Claims up to $1,000 "
  "are approved by your line manager, and larger claims by your department "
  "head. Claims approved by the 20th of the month are paid with that "
  "month's salary.\n\n"
  "# Business travel\n\n"
  "Book travel through the company travel portal. Trains are booked in "
  "standard class. Flights are booked in economy; business class is "
  "allowed only for flights with a scheduled flight time of more than 6 "
  "hours. Hotels may cost up to $180 per night, or up to $260 per night in "
  "New York, London and Tokyo.\n\n"
  "While travelling you may spend up to $60 per day on meals, including "
  "tips. Alcohol is not reimbursed, except at client dinners approved in "
  "advance. If you use your own car for business, mileage is paid at $0.62 "
  "per mile; travel between your home and your usual office does not "
  "count as business travel.\n\n"
  "# Corporate cards\n\n"
  "Employees who travel more than four times a year may apply for a "
  "corporate card. Personal spending on the card is not allowed, and "
  "statements must be reconciled in Ledgerly within 10 days of the end of "
  "each month.",

  /* page 5: conduct, gifts, IT security, training */
  "# Conduct and gifts\n\n"
  "Treat colleagues, clients and suppliers with respect. You may accept a "
  "gift or hospitality from a client or supplier only if it is worth up to "
  "$50; anything of higher value must be politely declined or reported to "
  "the compliance team, who keep a register of gifts. Cash gifts may never "
  "be accepted.\n\n"
  "# Information security\n\n"
  "Passwords for company systems must have at least 14 characters, and "
  "multi-factor authentication is always on. Lock your screen whenever you "
  "leave your desk. If a laptop or phone is lost or stolen, report it to "
  "it-security@kestrel.example within 1 hour, so that the device can be "
  "wiped remotely. Never copy client data to personal devices or personal "
  "cloud storage.\n\n"
  "# Learning and development\n\n"
  "Each employee has a training budget of $1,500 per calendar year for "
  "courses, conferences and books, agreed with their manager. Employees "
  "may also spend up to 5 working days a year on training during working "
  "hours. If you leave within 12 months after a course that cost more than "
  "$1,000, you repay half of its cost.\n\n"
  "# Questions\n\n"
  "People Operations answers questions about this handbook at "
  "people@kestrel.example. The handbook is reviewed every year, and "
  "changes are announced on the intranet one month before they take "
  "effect.",
};

/* ---- the hypertension guideline (HTML) ------------------------------------ */

static const char guideline_html[] =
  "<!DOCTYPE html>\n"
  "<html lang=\"en\">\n"
  "<head>\n"
  "<meta charset=\"utf-8\">\n"
  "<title>Adult Hypertension in Primary Care</title>\n"
  "</head>\n"
  "<body>\n"
  "<h1>Adult Hypertension in Primary Care</h1>\n"
  "<p>Brookfield Regional Health clinical guideline, version 4.2, approved "
  "by the Primary Care Medicines Committee in September 2024. Next review "
  "due September 2026. This guideline covers adults aged 18 and over; it "
  "does not cover children or hypertension in pregnancy beyond the advice "
  "below.</p>\n"
  "<h2>1. Measuring blood pressure and diagnosis</h2>\n"
  "<p>Measure blood pressure in both arms at the first visit. If the "
  "difference between the arms is more than 15 mmHg, repeat the "
  "measurements and use the arm with the higher reading from then on.</p>\n"
  "<p>If the clinic blood pressure is 140/90 mmHg or higher, take a second "
  "reading during the consultation and record the lower of the two. Then "
  "offer ambulatory blood pressure monitoring (ABPM) to confirm the "
  "diagnosis. If ambulatory monitoring is unsuitable or not tolerated, use "
  "home blood pressure monitoring instead.</p>\n"
  "<p>For home monitoring, the patient takes two consecutive readings, at "
  "least 1 minute apart and seated, twice a day (morning and evening) for "
  "at least 4 days and ideally for 7 days. Discard the readings of the "
  "first day and average the rest.</p>\n"
  "<p>Hypertension is confirmed when the daytime ambulatory average or the "
  "home average is 135/85 mmHg or higher (stage 1). Stage 2 hypertension "
  "is an average of 150/95 mmHg or higher. Severe hypertension is a clinic "
  "systolic pressure of 180 mmHg or more, or a clinic diastolic pressure "
  "of 120 mmHg or more.</p>\n"
  "<p>Refer adults under 40 with stage 1 hypertension for specialist "
  "evaluation of secondary causes.</p>\n"
  "<h2>2. Red flags: same-day referral</h2>\n"
  "<p>Refer the patient for same-day specialist assessment if the blood "
  "pressure is 180/120 mmHg or higher together with any of the "
  "following:</p>\n"
  "<ul>\n"
  "<li>retinal haemorrhage or papilloedema;</li>\n"
  "<li>new confusion, chest pain or signs of heart failure;</li>\n"
  "<li>acute kidney injury.</li>\n"
  "</ul>\n"
  "<p>Also refer on the same day if phaeochromocytoma is suspected: labile "
  "or postural blood pressure, headache, palpitations, pallor and "
  "sweating. If the pressure is 180/120 mmHg or higher without these "
  "features, look for target organ damage as soon as possible and repeat "
  "the clinic measurement within 7 days.</p>\n"
  "<h2>3. Treatment targets</h2>\n"
  "<table>\n"
  "<tr><th>Patient group</th><th>Clinic target</th><th>Home or ambulatory target</th></tr>\n"
  "<tr><td>Under 80 years</td><td>below 140/90 mmHg</td><td>below 135/85 mmHg</td></tr>\n"
  "<tr><td>80 years and over</td><td>below 150/90 mmHg</td><td>below 145/85 mmHg</td></tr>\n"
  "<tr><td>Chronic kidney disease with albumin:creatinine ratio of 70 mg/mmol or more</td>"
  "<td>below 130/80 mmHg</td><td>below 125/75 mmHg</td></tr>\n"
  "</table>\n"
  "<h2>4. Lifestyle advice</h2>\n"
  "<p>Offer lifestyle advice to every patient, at diagnosis and then at "
  "each review: keep salt intake below 6 g a day, take at least 150 "
  "minutes of moderate aerobic activity a week, keep alcohol within 14 "
  "units a week spread over three or more days, stop smoking, and aim for "
  "a body mass index between 18.5 and 24.9.</p>\n"
  "<h2>5. Drug treatment</h2>\n"
  "<p>Offer drug treatment to adults with stage 2 hypertension, and to "
  "adults under 80 with stage 1 hypertension who have target organ "
  "damage, cardiovascular disease, kidney disease, diabetes or a 10-year "
  "cardiovascular risk of 10% or more.</p>\n"
  "<h3>Step 1</h3>\n"
  "<p>For patients aged under 55 who are not of Black African or "
  "African-Caribbean family origin, and for patients of any age with type "
  "2 diabetes, offer an ACE inhibitor: ramipril 2.5 mg once daily, "
  "increased every 2 to 4 weeks to a maximum of 10 mg once daily. If an "
  "ACE inhibitor is not tolerated, for example because of a persistent dry "
  "cough, offer an angiotensin II receptor blocker (ARB) instead: losartan "
  "50 mg once daily, maximum 100 mg.</p>\n"
  "<p>For patients aged 55 or over, and for patients of Black African or "
  "African-Caribbean family origin without diabetes, offer a "
  "calcium-channel blocker: amlodipine 5 mg once daily, increased to 10 mg "
  "once daily if needed. Ankle swelling is the most common side effect.</p>\n"
  "<h3>Step 2</h3>\n"
  "<p>If blood pressure is not controlled, add a second drug from the other "
  "group (an ACE inhibitor or ARB with a calcium-channel blocker), or add a "
  "thiazide-like diuretic: indapamide 2.5 mg once daily.</p>\n"
  "<h3>Step 3</h3>\n"
  "<p>Combine all three: an ACE inhibitor or ARB, a calcium-channel blocker "
  "and a thiazide-like diuretic. Check adherence before adding a fourth "
  "drug.</p>\n"
  "<h3>Step 4: resistant hypertension</h3>\n"
  "<p>Check the blood potassium level. If potassium is 4.5 mmol/L or lower, "
  "consider adding spironolactone 25 mg once daily. If potassium is higher "
  "than 4.5 mmol/L, consider an alpha-blocker or a beta-blocker instead. "
  "If blood pressure remains uncontrolled on four drugs at optimal doses, "
  "refer to the hypertension clinic.</p>\n"
  "<h2>6. Monitoring</h2>\n"
  "<p>Check creatinine, eGFR and potassium 1 to 2 weeks after starting or "
  "increasing the dose of an ACE inhibitor or ARB. Stop the drug and seek "
  "advice if creatinine rises by more than 30%, if eGFR falls by more than "
  "25%, or if potassium rises above 6.0 mmol/L.</p>\n"
  "<p>Review patients every month while the treatment is being adjusted, "
  "until the target is reached. Once the blood pressure is stable at "
  "target, review every 12 months, with a medication review and blood "
  "tests at each annual visit.</p>\n"
  "<h2>7. Contraindications and cautions</h2>\n"
  "<ul>\n"
  "<li>ACE inhibitors and ARBs are contraindicated in pregnancy and should "
  "not be started in women planning a pregnancy. For hypertension in "
  "pregnancy, labetalol 100 mg twice daily is the first-line choice; refer "
  "to the obstetric team.</li>\n"
  "<li>Never combine an ACE inhibitor with an ARB.</li>\n"
  "<li>Do not use an ACE inhibitor in a patient with a history of "
  "angioedema.</li>\n"
  "<li>Use thiazide-like diuretics with caution in patients with gout.</li>\n"
  "<li>Avoid beta-blockers in patients with asthma.</li>\n"
  "</ul>\n"
  "<footer><p>Written as test material for the Docent software; not "
  "medical advice.</p></footer>\n"
  "</body>\n"
  "</html>\n";

/* ---- the espresso machine manual (DOCX) ----------------------------------- */

static const DocentTestBlock manual_blocks[] = {
  { 1, "BrewMaster Duo BD-400 Espresso Machine: User Manual" },
  { 0, "Thank you for choosing the BrewMaster Duo BD-400. Read this manual "
       "before first use and keep it for later reference." },
  { 2, "Safety" },
  { 0, "The machine runs on 220 to 240 V and draws 1,450 W. Connect it to an "
       "earthed socket only. Never immerse the machine, the power cord or the "
       "plug in water. Children under 8 must not use or clean the machine. "
       "The steam wand and the brewing head get very hot during use." },
  { 2, "What is in the box" },
  { 0, "The espresso machine, a 58 mm portafilter, single and double filter "
       "baskets, a tamper, a 350 ml stainless steel milk jug, a cleaning "
       "brush, one water filter cartridge and a sachet of descaler." },
  { 2, "Setting up" },
  { 0, "Remove all packaging and rinse the water tank. Fill the tank with "
       "fresh cold water up to the MAX mark; it holds 1.8 litres. Slide the "
       "tank into place at the back until it clicks. Fill the bean hopper, "
       "which holds 250 g of beans, and close the lid." },
  { 0, "Plug in the machine and press POWER. The lights flash while the "
       "machine heats up, which takes about 35 seconds. Before the first "
       "coffee, prime the system: place a large container under the brewing "
       "head and the steam wand and run two full tanks of water through "
       "both, without coffee." },
  { 2, "Grinding and brewing" },
  { 0, "The grinder has 15 settings: 1 is the finest and 15 the coarsest. "
       "For fresh espresso beans, start at setting 7 and adjust one step at "
       "a time. A single shot should give 30 ml of espresso in 25 to 30 "
       "seconds; a double shot gives 60 ml in the same time. If the coffee "
       "runs faster, grind finer; if it runs slower, grind coarser." },
  { 0, "The brewing temperature is set to 93 degrees C. It can be changed "
       "between 88 and 96 degrees C in the settings menu." },
  { 2, "Steaming milk" },
  { 0, "Purge the steam wand for 2 seconds before and after every use. Fill "
       "the milk jug no higher than the bottom of the spout, hold the wand "
       "just below the surface until the milk has expanded, then lower it to "
       "heat the milk to about 60 to 65 degrees C. Wipe the wand with a damp "
       "cloth immediately after use." },
  { 2, "Cleaning and care" },
  { 0, "Every day: empty the drip tray and the used grounds container, and "
       "rinse the portafilter and the filter basket under hot water." },
  { 0, "Every week: soak the filter baskets in hot water for 20 minutes and "
       "clear the steam wand tip with the pin of the cleaning brush." },
  { 0, "Every month: brush the grinder burrs after removing the bean hopper." },
  { 0, "Replace the water filter cartridge every 60 days or after 50 tank "
       "refills, whichever comes first." },
  { 0, "Descale the machine every 3 months if your water is soft. If your "
       "water hardness is above 15 degrees dH, descale every 6 weeks. The "
       "DESCALE light comes on when descaling is due." },
  { 2, "Descaling" },
  { 0, "Empty the water tank and remove the filter cartridge. Mix 100 ml of "
       "BrewMaster descaler with 1 litre of water in the tank. Place a large "
       "container under the brewing head and the steam wand, then hold the 1 "
       "CUP and STEAM buttons together for 5 seconds to start the program. "
       "Descaling takes about 25 minutes and ends with two rinse cycles; "
       "refill the tank with clean water when the machine asks for it." },
  { 2, "Restoring the factory settings" },
  { 0, "To reset the machine to its factory settings, switch it off, then "
       "press and hold POWER and 2 CUP together for 10 seconds until all "
       "lights flash three times. The reset restores grind setting 7, a "
       "brewing temperature of 93 degrees C and the original shot volumes; "
       "the descaling counter is not reset." },
  { 2, "Error codes" },
  { 0, "E01: the water tank is empty or not seated correctly. Refill the "
       "tank and push it firmly into place." },
  { 0, "E02: temperature sensor fault. Unplug the machine for 30 minutes; "
       "if the code returns, contact customer service." },
  { 0, "E03: no water flow or pump blocked, usually because of scale. "
       "Descale the machine; if the code remains, contact customer service." },
  { 0, "E04: the grinder is jammed. Unplug the machine, remove the bean "
       "hopper and clear any stones or foreign objects from the burrs." },
  { 0, "E05: the drip tray is full or missing. Empty it and slide it back in." },
  { 0, "E07: overheat protection. Switch the machine off and let it cool "
       "for 20 minutes before using it again." },
  { 2, "Warranty" },
  { 0, "BrewMaster guarantees this machine for 2 years from the date of "
       "purchase for household use, and for 6 months when it is used "
       "commercially, for example in an office kitchen or a cafe. Register "
       "the machine at brewmaster.example/register within 30 days of "
       "purchase to extend the household warranty by a third year at no "
       "cost." },
  { 0, "The warranty does not cover damage caused by scale when the machine "
       "has not been descaled as described in this manual, repairs by "
       "anyone other than an authorised service centre, the use of parts "
       "or accessories not made by BrewMaster, or wear parts such as "
       "gaskets and filter baskets." },
  { 2, "Customer service" },
  { 0, "Call BrewMaster customer service on 0800 555 019, Monday to Friday "
       "from 8:00 to 18:00, or write to support@brewmaster.example. Have "
       "the serial number ready; it is on the label under the drip tray." },
  { 2, "Technical data" },
  { 0, "Pump pressure 15 bar. Water tank 1.8 litres. Bean hopper 250 g. "
       "Weight 7.2 kg. Dimensions 33 x 31 x 41 cm." },
};

/* ---- the corpus ----------------------------------------------------------- */

static const DocentEvalDocument documents[] = {
  { "lease-agreement.pdf", "pdf", G_N_ELEMENTS (lease_pages) },
  { "hypertension-guideline.html", "html", 1 },
  { "coffee-machine-manual.docx", "docx", 1 },
  { "employee-handbook.pdf", "pdf", G_N_ELEMENTS (handbook_pages) },
};

const DocentEvalDocument *
docent_eval_corpus_documents (guint *n_documents)
{
  *n_documents = G_N_ELEMENTS (documents);
  return documents;
}

gboolean
docent_eval_write_corpus (const char  *dir,
                          GError     **error)
{
  g_autofree char *lease = g_build_filename (dir, documents[0].file, NULL);
  g_autofree char *guideline = g_build_filename (dir, documents[1].file, NULL);
  g_autofree char *manual = g_build_filename (dir, documents[2].file, NULL);
  g_autofree char *handbook = g_build_filename (dir, documents[3].file, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot create %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  return docent_test_write_pdf (lease, "Residential Lease Agreement: 14 Alder Row, Apartment 3B",
                                lease_pages, G_N_ELEMENTS (lease_pages), error) &&
         g_file_set_contents_full (guideline, guideline_html, sizeof guideline_html - 1,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error) &&
         docent_test_write_docx (manual, "BrewMaster Duo BD-400 User Manual",
                                 manual_blocks, G_N_ELEMENTS (manual_blocks), error) &&
         docent_test_write_pdf (handbook, "Kestrel Data Systems Employee Handbook",
                                handbook_pages, G_N_ELEMENTS (handbook_pages), error);
}
