"""The demo organisation set: a managed-service provider (Company X), three customers, their people, the
provider's workgroups and the incident stories they tell. Plain data; ``opsdesk.demo.loader`` loads it
through the services.

Every e-mail address uses a reserved ``.example`` domain, so nothing can ever reach a real mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass

# A password every demo login shares. It passes Django's password validators (create_login checks them).
DEMO_PASSWORD = "demo-Opsdesk-2026"

PROVIDER = {
    "name": "Company X",
    "short_name": "company-x",
    "email_domain": "companyx.example",
    "phone": "+44 20 7946 0000",
    "time_zone": "Europe/London",
    "notes": "Managed-service provider: the service desk and the support workgroups.",
}
PROVIDER_SITE = ("London Operations Centre", "1 Service Way, London EC1A 1AA")


@dataclass(frozen=True)
class Staff:
    full_name: str
    username: str
    role: str  # admin, manager, agent
    job_title: str
    workgroups: tuple[str, ...] = ()
    leads: str = ""  # the workgroup this person leads


STAFF = [
    Staff("Adrian Hale", "admin", "admin", "Tools administrator"),
    Staff("Grace Whitmore", "manager", "manager", "Service-desk manager", ("Service Desk",)),
    Staff("Sam Patel", "sam", "agent", "Service-desk lead", ("Service Desk",), leads="Service Desk"),
    Staff("Priya Nair", "priya", "agent", "Service-desk analyst", ("Service Desk",)),
    Staff("Lucy Evans", "lucy", "agent", "Service-desk analyst", ("Service Desk", "Backup")),
    Staff("Marek Nowak", "marek", "agent", "Windows engineer", ("Windows Server",), leads="Windows Server"),
    Staff("Hannah Schulz", "hannah", "agent", "Windows engineer", ("Windows Server", "Backup")),
    Staff("Oliver Grant", "oliver", "agent", "Messaging engineer", ("Mail/Exchange",), leads="Mail/Exchange"),
    Staff("Fatima Rahman", "fatima", "agent", "Messaging engineer", ("Mail/Exchange",)),
    Staff("Diego Alvarez", "diego", "agent", "Network engineer", ("Network",), leads="Network"),
    Staff("Ingrid Larsen", "ingrid", "agent", "Network engineer", ("Network",)),
    Staff("Kwame Mensah", "kwame", "agent", "Backup and storage engineer", ("Backup",), leads="Backup"),
]

WORKGROUPS = [
    ("Service Desk", "servicedesk@companyx.example", "First-line support: every call starts here."),
    ("Windows Server", "windows@companyx.example", "Windows servers, file shares, Active Directory."),
    ("Mail/Exchange", "mail@companyx.example", "Exchange, mailboxes, mail flow and mobile mail."),
    ("Network", "network@companyx.example", "LAN, Wi-Fi, WAN links, firewalls and VPN."),
    ("Backup", "backup@companyx.example", "Backup jobs, restores and off-site tapes."),
]


@dataclass(frozen=True)
class Customer:
    name: str
    short_name: str
    domain: str
    time_zone: str
    phone: str
    sites: tuple[tuple[str, str], ...]
    people: tuple[tuple[str, str], ...]  # (full name, job title); the first is the customer manager
    logins: tuple[str, ...]  # usernames for people[0] (customer manager) and the next ones (customers)
    servers: tuple[str, ...] = ()
    printers: tuple[str, ...] = ()


CUSTOMERS = [
    Customer(
        name="Northwind Traders",
        short_name="northwind",
        domain="northwind.example",
        time_zone="Europe/London",
        phone="+44 113 496 0100",
        sites=(
            ("Leeds Head Office", "14 Wharf Street, Leeds LS2 7EQ"),
            ("Manchester Warehouse", "Unit 9, Trafford Park, Manchester M17 1PE"),
            ("Bristol Showroom", "22 Harbourside, Bristol BS1 5DB"),
        ),
        people=(
            ("Margaret Holt", "Head of Operations"),
            ("Nina Brooks", "Sales coordinator"),
            ("Owen Price", "Warehouse supervisor"),
            ("Rachel Kim", "Accounts assistant"),
            ("Stuart Bell", "Buyer"),
            ("Tara Quinn", "Customer service agent"),
            ("Umar Siddiqui", "Logistics planner"),
            ("Vera Lindqvist", "Marketing manager"),
            ("William Ashby", "Showroom manager"),
            ("Yasmin Clarke", "HR advisor"),
            ("Zach Turner", "Sales representative"),
            ("Alan Fisher", "Finance director"),
        ),
        logins=("margaret", "nina", "owen"),
        servers=("NW-FS01", "NW-DC01", "NW-APP02"),
        printers=("NW-PRN-LEEDS-1", "NW-PRN-MAN-2", "NW-PRN-BRS-1"),
    ),
    Customer(
        name="Contoso Pharma",
        short_name="contoso",
        domain="contoso-pharma.example",
        time_zone="Europe/Berlin",
        phone="+49 69 9999 1200",
        sites=(
            ("Frankfurt Research Campus", "Forschungsallee 3, 60311 Frankfurt"),
            ("Basel Laboratory", "Laborstrasse 18, 4058 Basel"),
        ),
        people=(
            ("Dr. Klaus Werner", "IT coordinator"),
            ("Sofia Romano", "Lab technician"),
            ("Jonas Weber", "Research scientist"),
            ("Elena Popescu", "Quality assurance lead"),
            ("Mehmet Yilmaz", "Regulatory affairs officer"),
            ("Anna Keller", "Research scientist"),
            ("Lukas Brandt", "Facilities manager"),
            ("Chloé Martin", "Clinical data manager"),
            ("Piotr Zielinski", "Lab technician"),
            ("Ines Carvalho", "Executive assistant"),
            ("Thomas Frei", "Procurement officer"),
        ),
        logins=("klaus", "sofia", "jonas"),
        servers=("CP-FS01", "CP-LIMS01", "CP-DC02"),
        printers=("CP-PRN-FRA-3", "CP-PRN-BAS-1"),
    ),
    Customer(
        name="Fabrikam Logistics",
        short_name="fabrikam",
        domain="fabrikam-logistics.example",
        time_zone="Europe/Amsterdam",
        phone="+31 10 555 0199",
        sites=(
            ("Rotterdam Depot", "Havenweg 40, 3089 Rotterdam"),
            ("Utrecht Office", "Stationsplein 5, 3511 Utrecht"),
            ("Antwerp Hub", "Kaaiweg 12, 2030 Antwerpen"),
        ),
        people=(
            ("Pieter de Vries", "Operations manager"),
            ("Femke Jansen", "Dispatcher"),
            ("Ruben Bakker", "Fleet planner"),
            ("Sanne Visser", "Customer service lead"),
            ("Daan Smit", "Warehouse operative"),
            ("Lotte Meijer", "Finance controller"),
            ("Bram Mulder", "Depot supervisor"),
            ("Noor El Amrani", "HR officer"),
            ("Kevin Peeters", "Hub coordinator"),
            ("Eva de Boer", "Sales manager"),
            ("Jeroen Hendriks", "Driver liaison"),
            ("Mila Dekker", "Office manager"),
            ("Youssef Haddad", "Customs clerk"),
        ),
        logins=("pieter", "femke", "ruben"),
        servers=("FL-FS01", "FL-TMS01", "FL-DC01"),
        printers=("FL-PRN-RTM-1", "FL-PRN-UTR-2", "FL-PRN-ANT-1"),
    ),
]

# Categories with their subcategories: the services of the operations manual.
CATEGORIES = {
    "Desktop PC": ["Hardware fault", "Operating system", "Software", "Printing"],
    "Virus Protection": ["Virus alert", "Phishing", "Definition updates"],
    "Email": ["Mailbox access", "Mail flow", "Calendar and shared mailboxes", "Mobile mail"],
    "Backups": ["Failed backup job", "Restore request"],
    "Server Systems": ["Windows server", "File shares and permissions", "Disk space and performance"],
    "LAN": ["Wired network", "Wi-Fi"],
    "WAN": ["Site link"],
    "VPN": ["Remote access", "Distributed file system"],
}

# Which catalogue services an incident of each category affects, best guess first (the first one the
# customer subscribes to is named on the incident).
CATEGORY_SERVICES = {
    "Desktop PC": ("Desktop PC",),
    "Virus Protection": ("Virus Protection", "Desktop PC"),
    "Email": ("Managed Mail", "Email Services"),
    "Backups": ("Backups",),
    "Server Systems": ("Server Systems",),
    "LAN": ("LAN Networks",),
    "WAN": ("WAN Networks",),
    "VPN": ("VPN and distributed file systems",),
}

# Which workgroup works each category (the service desk takes the call first).
CATEGORY_WORKGROUP = {
    "Desktop PC": "Service Desk",
    "Virus Protection": "Service Desk",
    "Email": "Mail/Exchange",
    "Backups": "Backup",
    "Server Systems": "Windows Server",
    "LAN": "Network",
    "WAN": "Network",
    "VPN": "Network",
}


@dataclass(frozen=True)
class Story:
    """One kind of incident. Placeholders: {server} {printer} {site} {person}."""

    category: str
    subcategory: str
    title: str
    description: str
    resolution_code: str
    resolution: str
    impact: str = "low"
    urgency: str = "normal"
    notes: tuple[str, ...] = ()  # internal work notes
    questions: tuple[str, ...] = ()  # public replies from the agent
    answers: tuple[str, ...] = ()  # public replies from the customer
    channels: tuple[str, ...] = ("phone", "email", "portal")
    weight: int = 3


STORIES = [
    # --- Desktop PC ---------------------------------------------------------------------------------------
    Story(
        "Desktop PC",
        "Hardware fault",
        "Laptop does not power on",
        "My laptop shows no lights at all this morning, even on the charger. I have a client meeting at 2pm.",
        "hardware",
        "The power supply had failed. Replaced the charger and tested the battery; the laptop boots "
        "normally.",
        urgency="urgent",
        notes=("Battery health 71 %, charger swapped from spares stock.", "Asset tag noted on the ticket."),
        questions=("Could you tell us the asset tag on the underside of the laptop?",),
        answers=("It is the sticker saying LT-20417.", "I can bring it to the front desk at noon."),
        weight=4,
    ),
    Story(
        "Desktop PC",
        "Hardware fault",
        "Monitor flickers and goes black",
        "The second screen on my desk flickers every few minutes and then goes black for a second.",
        "hardware",
        "Replaced the DisplayPort cable; the monitor has been stable for a full day.",
        notes=("Swapped the cable first; monitor tested fine on the bench.",),
        questions=("Does it also happen when only that screen is connected?",),
        answers=("Yes, it still flickers on its own.",),
    ),
    Story(
        "Desktop PC",
        "Operating system",
        "PC very slow after Windows update",
        "Since the update last night the PC takes ten minutes to start and programs freeze.",
        "fixed",
        "A stuck update had left the component store corrupted. Repaired it with DISM and rebooted twice; "
        "start-up takes under a minute again.",
        urgency="urgent",
        notes=("CBS.log shows repeated servicing failures for the cumulative update.",),
        questions=("Is the PC connected to the office network or working from home?",),
        answers=("Office network, wired.",),
        weight=4,
    ),
    Story(
        "Desktop PC",
        "Operating system",
        "Blue screen when docking the laptop",
        "Every time I put my laptop in the dock it crashes with a blue screen (DRIVER_POWER_STATE_FAILURE).",
        "configuration",
        "Updated the dock firmware and the graphics driver; docking and undocking work without a crash.",
        notes=(
            "Minidump points at the USB-C dock driver.",
            "Firmware package deployed from the tools share.",
        ),
    ),
    Story(
        "Desktop PC",
        "Software",
        "Request: install Visio for new starter",
        "{person} starts on Monday and needs Visio installed on her laptop.",
        "advice",
        "Visio assigned through the software portal and installed; licence recorded.",
        impact="none",
        urgency="negotiated",
        notes=("Licence pool has 3 free seats.",),
        channels=("email", "portal"),
    ),
    Story(
        "Desktop PC",
        "Software",
        "Excel crashes when opening the monthly report",
        "Excel closes without a message when I open the monthly sales workbook. Other files open fine.",
        "workaround",
        "An add-in crashed on the workbook's macros. Disabled the add-in; the vendor is preparing a fix.",
        notes=("Crash reproducible with the add-in enabled; reported to the vendor.",),
        questions=("Could you attach the workbook or tell us where it is stored?",),
        answers=("It is on the finance share, folder Reports/Monthly.",),
        weight=4,
    ),
    Story(
        "Desktop PC",
        "Printing",
        "Printer {printer} jams on every page",
        "The printer {printer} jams on every page from tray 2. We have tried another pack of paper.",
        "hardware",
        "Replaced the pick-up roller of tray 2 and cleaned the paper path. Printed 50 test pages "
        "without a jam.",
        impact="medium",
        urgency="normal",
        notes=("Roller kit ordered from the supplier.", "Engineer visit booked for Thursday morning."),
        questions=("Does tray 1 work in the meantime?",),
        answers=("Yes, we are using tray 1 for now.",),
        weight=5,
    ),
    Story(
        "Desktop PC",
        "Printing",
        "Cannot print to {printer} after moving desks",
        "I moved desks and now my PC cannot find the printer {printer}.",
        "configuration",
        "Re-mapped the printer through the site's print server; a test page printed.",
        channels=("phone", "portal"),
    ),
    # --- Virus Protection ---------------------------------------------------------------------------------
    Story(
        "Virus Protection",
        "Virus alert",
        "Antivirus reports a threat on my PC",
        "A red window says a threat was found in my Downloads folder (Trojan:Win32/Wacatac).",
        "fixed",
        "The file was quarantined by the antivirus before it ran. Full scan clean; the download source is "
        "now blocked at the web filter.",
        impact="medium",
        urgency="urgent",
        notes=("Full scan: 0 threats after quarantine.", "Hash submitted to the vendor; URL blocked."),
        channels=("phone", "monitoring"),
        weight=4,
    ),
    Story(
        "Virus Protection",
        "Phishing",
        "Suspicious e-mail asking to reset password",
        "I received an e-mail that looks like it is from IT asking me to reset my password via a link. "
        "I did not click it.",
        "advice",
        "It was a phishing message. Removed it from all mailboxes and blocked the sender; no one clicked.",
        impact="medium",
        urgency="urgent",
        notes=("Message trace: delivered to 14 mailboxes, purged from all.",),
        questions=("Thank you for reporting it. Did anyone else in your team receive it?",),
        answers=("Two colleagues got it too, nobody clicked.",),
        channels=("email", "portal", "phone"),
        weight=4,
    ),
    Story(
        "Virus Protection",
        "Definition updates",
        "Antivirus definitions out of date on {server}",
        "Monitoring: antivirus definitions on {server} are more than 3 days old.",
        "configuration",
        "The update service could not reach the proxy after a certificate change. Fixed the proxy settings; "
        "definitions are current.",
        impact="low",
        urgency="urgent",
        notes=("Proxy certificate was renewed last week; update agent did not trust it.",),
        channels=("monitoring",),
    ),
    # --- Email --------------------------------------------------------------------------------------------
    Story(
        "Email",
        "Mailbox access",
        "Outlook keeps asking for my password",
        "Outlook asks for my password again and again, even after I type it correctly.",
        "configuration",
        "Cleared the stored credentials and re-created the Outlook profile; modern authentication now works.",
        notes=("Old credentials in Windows Credential Manager.",),
        questions=("Does webmail work with the same password?",),
        answers=("Yes, webmail works fine.",),
        weight=5,
    ),
    Story(
        "Email",
        "Mailbox access",
        "Mailbox full, cannot send",
        "I get a message that my mailbox is full and I can no longer send e-mail.",
        "advice",
        "Enabled the online archive and explained the archiving policy; the mailbox is at 60 % again.",
        questions=("Would you like us to enable the online archive for you?",),
        answers=("Yes please.",),
    ),
    Story(
        "Email",
        "Mail flow",
        "E-mails to customers bounce",
        "Since this morning e-mails to several customers come back with '550 5.7.1 rejected'.",
        "configuration",
        "The SPF record was missing our new outbound gateway. Updated the DNS record; mail is "
        "accepted again.",
        impact="high",
        urgency="critical",
        notes=("NDR shows SPF fail.", "DNS change made at 11:20, TTL 300."),
        questions=("Could you forward one of the bounce messages to us?",),
        answers=("Forwarded just now.",),
        weight=3,
    ),
    Story(
        "Email",
        "Mail flow",
        "No external e-mail received since 9:00",
        "Nobody in the office has received e-mail from outside since about 9 o'clock.",
        "fixed",
        "The anti-spam gateway's queue had stopped after a licence update. Restarted the service; the "
        "queued messages were delivered.",
        impact="high",
        urgency="critical",
        notes=("Queue held 1,214 messages.", "Vendor case opened about the licence update."),
        channels=("phone", "monitoring"),
        weight=2,
    ),
    Story(
        "Email",
        "Calendar and shared mailboxes",
        "Cannot see the shared sales calendar",
        "The shared calendar 'Sales team' disappeared from my Outlook.",
        "configuration",
        "Granted {person} reviewer rights on the calendar again after the team change.",
        channels=("portal", "email"),
    ),
    Story(
        "Email",
        "Mobile mail",
        "New phone does not sync e-mail",
        "I have a new phone and the mail app says 'cannot connect to server'.",
        "advice",
        "The phone was waiting for device approval. Approved it and walked {person} through the setup.",
        questions=("Which mail app are you using on the phone?",),
        answers=("The built-in Mail app.",),
    ),
    # --- Backups ------------------------------------------------------------------------------------------
    Story(
        "Backups",
        "Failed backup job",
        "Nightly backup of {server} failed",
        "Backup job 'Nightly-{server}' finished with status Failed (VSS writer error).",
        "fixed",
        "The SQL VSS writer was stuck. Restarted it and re-ran the job, which completed successfully.",
        impact="medium",
        urgency="urgent",
        notes=("vssadmin list writers: SqlServerWriter in failed state.", "Re-run finished 02:14, 212 GB."),
        channels=("monitoring",),
        weight=4,
    ),
    Story(
        "Backups",
        "Restore request",
        "Please restore a deleted folder",
        "I accidentally deleted the folder 'Contracts 2024' on the shared drive yesterday afternoon.",
        "fixed",
        "Restored the folder from last night's backup to its original place; {person} checked the files.",
        notes=("Restore point from 22:00 used; 1,842 files.",),
        questions=("Roughly when did the folder still exist?",),
        answers=("Yesterday at lunchtime it was there.",),
        channels=("phone", "portal", "email"),
        weight=4,
    ),
    # --- Server Systems -----------------------------------------------------------------------------------
    Story(
        "Server Systems",
        "Windows server",
        "{server} not responding",
        "Nobody can reach {server}; the application shows 'server unavailable'.",
        "fixed",
        "The server hung after a memory leak in a monitoring agent. Rebooted it and updated the agent.",
        impact="high",
        urgency="critical",
        notes=("Console frozen; hard reset via iLO.", "Agent version 7.2 has a known leak; updated to 7.4."),
        channels=("monitoring", "phone"),
        weight=3,
    ),
    Story(
        "Server Systems",
        "File shares and permissions",
        "Access denied on the finance share",
        "Since this morning I get 'access denied' when opening the finance share.",
        "configuration",
        "{person} had been removed from the Finance group during a clean-up. Added back after approval.",
        notes=("Group change made by the customer's HR sync on Monday.",),
        questions=("Could your manager approve the access by replying here?",),
        answers=("My manager has approved it by e-mail.",),
        weight=4,
    ),
    Story(
        "Server Systems",
        "Disk space and performance",
        "Low disk space on {server}",
        "Monitoring: drive D: on {server} has less than 5 % free space.",
        "configuration",
        "Moved old log files to the archive volume and set up log rotation; 38 % free.",
        impact="medium",
        urgency="urgent",
        notes=("IIS logs had not been rotated since March.",),
        channels=("monitoring",),
        weight=4,
    ),
    # --- LAN ----------------------------------------------------------------------------------------------
    Story(
        "LAN",
        "Wired network",
        "No network at desks in {site}",
        "Six desks on the first floor of {site} have no network connection.",
        "hardware",
        "A switch in the floor cabinet had a failed power supply. Replaced the switch; all ports are up.",
        impact="medium",
        urgency="critical",
        notes=("Switch FL1-SW02 offline since 07:40.", "Spare switch configured from backup config."),
        questions=("Are the desk phones on those desks working?",),
        answers=("No, the phones are dead too.",),
        weight=3,
    ),
    Story(
        "LAN",
        "Wi-Fi",
        "Wi-Fi drops in the meeting rooms",
        "The Wi-Fi in the meeting rooms at {site} keeps disconnecting during video calls.",
        "configuration",
        "Adjusted the access points' channel plan to avoid interference; tested during a call with no drops.",
        notes=("Heat map shows channel overlap between AP-3 and AP-4.",),
        weight=4,
    ),
    # --- WAN ----------------------------------------------------------------------------------------------
    Story(
        "WAN",
        "Site link",
        "Site link to {site} down",
        "Monitoring: the WAN link to {site} is down; the site is working on the 4G backup.",
        "fixed",
        "The carrier repaired a fibre cut near the site. The primary link is up and traffic moved back.",
        impact="high",
        urgency="critical",
        notes=("Carrier ticket opened.", "Carrier ETA 4 hours.", "Link up, BGP re-established."),
        channels=("monitoring",),
        weight=2,
    ),
    Story(
        "WAN",
        "Site link",
        "Applications very slow at {site}",
        "All central applications are very slow from {site} since lunchtime.",
        "configuration",
        "A backup job was saturating the link. Moved it to the night window and added a QoS rule.",
        impact="medium",
        urgency="urgent",
        notes=("Link at 98 % utilisation; top talker is the backup server.",),
    ),
    # --- VPN ----------------------------------------------------------------------------------------------
    Story(
        "VPN",
        "Remote access",
        "VPN connects but no access to the file server",
        "When working from home the VPN says connected but I cannot open the shared drives.",
        "configuration",
        "The VPN profile was missing the internal DNS suffix. Pushed an updated profile; drives map again.",
        notes=("Split-DNS suffix list missing the new domain.",),
        questions=("Can you open the intranet while connected?",),
        answers=("No, the intranet does not open either.",),
        weight=4,
    ),
    Story(
        "VPN",
        "Remote access",
        "VPN certificate expired",
        "The VPN client says my certificate has expired and will not connect.",
        "fixed",
        "Issued a new user certificate and installed it remotely; the VPN connects.",
        urgency="urgent",
        weight=3,
    ),
    Story(
        "VPN",
        "Distributed file system",
        "Files on the shared drive are out of date at {site}",
        "Colleagues at {site} see old versions of files we saved an hour ago in the other office.",
        "fixed",
        "DFS replication had stopped after a disk filled up on the replica. Freed space and forced a "
        "replication; both sites are in sync.",
        impact="medium",
        urgency="urgent",
        notes=("DFSR event 2213 on the replica.", "Backlog cleared after 40 minutes."),
    ),
]

AGENT_OPENERS = [
    "Hello {first}, thank you for your call. We are looking into it now.",
    "Hi {first}, we have picked this up and will keep you posted here.",
    "Hello {first}, I am working on this now and will update you shortly.",
]

# How the owner reached the customer when accepting (the manual: accepted means the customer was contacted).
CONTACT_NOTES = [
    "Phoned {first}; agreed to look at it remotely.",
    "Called {first} back and confirmed the symptoms.",
    "Spoke to {first} on the phone; they are available all morning.",
    "Reached {first} by Teams chat; remote session started.",
    "Left a voicemail for {first} and sent an e-mail with the incident number.",
]

PENDING_STORIES = {
    "customer": (
        "Waiting for the customer to confirm a time for a remote session.",
        "Could you let us know when we can connect to your PC?",
    ),
    "part_shipped": (
        "Replacement part shipped by the supplier; awaiting delivery confirmation.",
        "The replacement part is on its way; we will fit it as soon as it arrives.",
    ),
    "external": (
        "Vendor case opened; waiting for their second-line support.",
        "We have contacted the vendor's support and are waiting for their answer.",
    ),
    "scheduled": (
        "Engineer visit scheduled.",
        "An engineer will visit the site at the agreed time.",
    ),
}

REJECTIONS = [
    "It worked for a day but the problem is back this morning.",
    "Still the same for me, nothing has changed.",
    "It is better but still happens a few times a day.",
]

PHONE_AGREEMENT = [
    "{name} confirmed by phone that everything works.",
    "{name} agreed to closure by e-mail.",
    "{name} confirmed in a call-back that the issue is solved.",
]


# --- the service catalogue (the operations manual's envisioned services) -------------------------------


@dataclass(frozen=True)
class CatalogueService:
    name: str
    owner: str  # workgroup
    hours: str
    description: str
    parameters: tuple[tuple[str, str], ...]
    subscribers: tuple[str, ...]  # customer short names
    status: str = "live"


OFFICE_HOURS = "Mon-Fri 08:00-18:00"
ALL = ("northwind", "contoso", "fabrikam")

SERVICES = [
    CatalogueService(
        "Desktop PC",
        "Service Desk",
        OFFICE_HOURS,
        "Supply, installation and support of standard desktop and laptop PCs with the Windows desktop image, "
        "office software and printing.",
        (
            ("Standard image", "Windows desktop with Office"),
            ("Hardware replacement", "Next business day"),
            ("Software installs", "From the approved catalogue"),
            ("Support hours", OFFICE_HOURS),
        ),
        ALL,
    ),
    CatalogueService(
        "Virus Protection",
        "Service Desk",
        "24x7 (monitoring)",
        "Managed anti-virus and anti-malware on every PC and server, with central alerting and clean-up.",
        (
            ("Definition updates", "Hourly"),
            ("Full scan", "Weekly, Sunday 02:00"),
            ("Alert response", "Within 1 hour in service hours"),
            ("Coverage", "All managed PCs and servers"),
        ),
        ALL,
    ),
    CatalogueService(
        "Managed Mail",
        "Mail/Exchange",
        OFFICE_HOURS,
        "Managed Exchange mailboxes: accounts, shared mailboxes, distribution lists, mobile mail and spam "
        "filtering.",
        (
            ("Mailbox size", "2 GB"),
            ("Retention of deleted items", "30 days"),
            ("Availability", "99.5%"),
            ("Spam and virus filtering", "Included"),
            ("Support hours", OFFICE_HOURS),
        ),
        ALL,
    ),
    CatalogueService(
        "Email Services",
        "Mail/Exchange",
        OFFICE_HOURS,
        "Mail routing, domains and relays for customers who run their own mail servers.",
        (
            ("Mail domains", "Up to 5"),
            ("Relay throughput", "10,000 messages per day"),
            ("Availability", "99.5%"),
        ),
        ("contoso",),
    ),
    CatalogueService(
        "Backups",
        "Backup",
        "Mon-Sun 20:00-06:00 (backup window)",
        "Nightly backups of servers and shared data, off-site copies, and restores on request.",
        (
            ("Schedule", "Nightly incremental, weekly full"),
            ("Retention", "30 days online, 12 months off-site"),
            ("Restore request", "Started within 4 business hours"),
            ("Off-site copy", "Weekly"),
        ),
        ALL,
    ),
    CatalogueService(
        "Server Systems",
        "Windows Server",
        OFFICE_HOURS,
        "Management of Windows servers: Active Directory, file and print, patching and capacity.",
        (
            ("Patching", "Monthly, second Sunday"),
            ("Availability", "99.5%"),
            ("Disk space alerts", "At 85% full"),
            ("Support hours", OFFICE_HOURS),
        ),
        ALL,
    ),
    CatalogueService(
        "LAN Networks",
        "Network",
        OFFICE_HOURS,
        "Wired and wireless networks in the customers' offices: switches, access points and cabling.",
        (
            ("Switch port changes", "Next business day"),
            ("Wi-Fi", "WPA2-Enterprise"),
            ("Availability", "99.5%"),
        ),
        ALL,
    ),
    CatalogueService(
        "WAN Networks",
        "Network",
        "24x7",
        "Links between the customers' sites and to the internet, managed with the carriers.",
        (
            ("Link monitoring", "Every 5 minutes"),
            ("Carrier escalation", "Within 1 hour"),
            ("Availability", "99.9%"),
        ),
        ("northwind", "fabrikam"),
    ),
    CatalogueService(
        "VPN and distributed file systems",
        "Network",
        OFFICE_HOURS,
        "Remote access for home and travelling staff, and replicated file shares between sites.",
        (
            ("Remote access", "Client VPN with two-factor sign-in"),
            ("Concurrent users", "Up to 50"),
            ("DFS replication", "Every 15 minutes"),
        ),
        ("northwind", "contoso"),
    ),
    CatalogueService(
        "Incident Management",
        "Service Desk",
        OFFICE_HOURS,
        "First-line support and operations: the service desk takes every call, e-mail and portal ticket.",
        (
            ("Channels", "Phone, e-mail, portal"),
            ("Answer time", "80% of calls within 30 seconds"),
            ("First-call resolution target", "70%"),
            ("Support hours", OFFICE_HOURS),
        ),
        ALL,
    ),
    CatalogueService(
        "Problem Management",
        "Service Desk",
        OFFICE_HOURS,
        "Escalation and root-cause analysis of recurring and major incidents.",
        (
            ("Major incident review", "Within 5 business days"),
            ("Known-error records", "Published monthly"),
            ("Trend analysis", "Quarterly"),
        ),
        ("northwind", "fabrikam"),
    ),
    CatalogueService(
        "Service Monitoring",
        "Windows Server",
        "24x7",
        "Quality control: monitoring of servers, links and backups, with change and configuration control.",
        (
            ("Checks", "Every 5 minutes"),
            ("Alert to service desk", "Automatic incident"),
            ("Change control", "Weekly change advisory board"),
        ),
        ALL,
    ),
    CatalogueService(
        "Application Maintenance",
        "Windows Server",
        OFFICE_HOURS,
        "Performance management, licensing and upgrades of the customers' line-of-business applications.",
        (
            ("Upgrades", "Twice a year, planned"),
            ("Licence review", "Annually"),
            ("Performance report", "Monthly"),
        ),
        ("contoso",),
        status="pipeline",
    ),
    CatalogueService(
        "Service Management",
        "Service Desk",
        OFFICE_HOURS,
        "Service level agreements, ongoing review and reporting.",
        (("Service review", "Monthly meeting"), ("SLA report", "Monthly"), ("Customer survey", "Annually")),
        ALL,
    ),
]

# When the demo customers' subscriptions started (days before the moment of loading).
SUBSCRIPTION_DAYS_AGO = 365
SLA_NOTES = {"northwind": "Gold", "contoso": "Silver", "fabrikam": "Standard"}
