/**
 * The fideslang default taxonomy (IABTechLab/fideslang, 3.x): data categories, data uses and data subjects,
 * so that data maps exported from Ethyca Fides can be brought into the register unchanged.
 *
 * Pure data and lookups, no I/O. Keys, names and descriptions follow the upstream default taxonomy
 * (data categories as of 3.2.0, data uses as of 2.1.1, which 3.x has not changed). Upstream keeps
 * deprecated labels in its default taxonomy so that older data maps stay valid; they are kept here too and
 * their successor is available through `replacementFor`. Upstream spellings are kept verbatim, including
 * `user.unique_id.probablistic` and `user.health.symptons`.
 *
 * Note: the default taxonomy has no `account.*` data categories (that top-level branch was dropped before
 * fideslang 2.0); the categories are all `user.*` and `system.*`.
 */

export type TaxonomyEntry = { key: string; name: string; description: string; parent: string | null };

export type TaxonomyKind = 'category' | 'use' | 'subject';

const e = (key: string, name: string, description: string, parent: string | null): TaxonomyEntry =>
  Object.freeze({ key, name, description, parent });

// biome-ignore format: one entry per line keeps the taxonomy data reviewable
export const DATA_CATEGORIES: readonly TaxonomyEntry[] = Object.freeze([
  e('user', 'User Data', 'Data related to the user of the system, either provided directly or derived based on their usage.', null),
  // user.account
  e('user.account', 'Account Information', 'Account creation or registration information.', 'user'),
  e('user.account.settings', 'Account Settings', 'Account preferences and settings.', 'user.account'),
  e('user.account.username', 'Account Username', 'Username associated with account.', 'user.account'),
  // user.authorization
  e('user.authorization', 'Authorization Information', 'Scope of permissions and access to a system.', 'user'),
  e('user.authorization.credentials', 'Account password', 'Authentication credentials to a system.', 'user.authorization'),
  e('user.authorization.biometric', 'Biometric Credentials', 'Credentials for system authentication.', 'user.authorization'),
  e('user.authorization.biometrics', 'Biometric Authentication', 'Credentials for system authentication.', 'user.authorization'),
  e('user.authorization.password', 'Password', 'Password for system authentication.', 'user.authorization'),
  // user.behavior
  e('user.behavior', 'Observed Behavior', 'Behavioral data about the subject.', 'user'),
  e('user.behavior.browsing_history', 'Browsing History', 'Content browsing history of a user.', 'user.behavior'),
  e('user.behavior.media_consumption', 'Media Consumption', 'Content consumption history of the subject.', 'user.behavior'),
  e('user.behavior.purchase_history', 'Purchase History', 'Purchase history of the subject.', 'user.behavior'),
  e('user.behavior.search_history', 'Search History', 'Search history of the subject.', 'user.behavior'),
  // user.biometric (deprecated in 3.2.0) and user.biometrics
  e('user.biometric', 'Biometric Data', 'Encoded characteristics provided by a user.', 'user'),
  e('user.biometric.fingerprint', 'Fingerprint', 'Fingerprint encoded data about a subject.', 'user.biometric'),
  e('user.biometric.retinal', 'Retina Scan', 'Retinal data about a subject.', 'user.biometric'),
  e('user.biometric.voice', 'Voice Recording', 'Voice encoded data about a subject.', 'user.biometric'),
  e('user.biometric.health', 'Biometric Health Data', 'Encoded characteristic collected about a user.', 'user.biometric'),
  e('user.biometrics', 'Biometrics', 'Encoded characteristics provided by a user.', 'user'),
  e('user.biometrics.fingerprint', 'Fingerprint Data', 'Fingerprint encoded data about a subject.', 'user.biometrics'),
  e('user.biometrics.retinal', 'Retinal Data', 'Retinal data about a subject.', 'user.biometrics'),
  e('user.biometrics.voice', 'Voice Data', 'Voice encoded data about a subject.', 'user.biometrics'),
  // user.childrens (deprecated in 3.2.0) and user.children
  e('user.childrens', "Children's Data", 'Data relating to children.', 'user'),
  e('user.children', 'Children', 'Data relating to children.', 'user'),
  e('user.children.children_under_thirteen', 'Children Under Thirteen', 'Data relating to children under the age of thirteen.', 'user.children'),
  e('user.children.thirteen_to_sixteen', 'Children Thirteen to Sixteen', 'Data relating to children between the ages of thirteen and sixteen.', 'user.children'),
  // user.contact
  e('user.contact', 'Contact Data', 'Contact data collected about a user.', 'user'),
  e('user.contact.address', 'User Contact Address', 'Contact address data collected about a user.', 'user.contact'),
  e('user.contact.address.city', 'User Contact City', "User's city level address data.", 'user.contact.address'),
  e('user.contact.address.country', 'User Contact Country', "User's country level address data.", 'user.contact.address'),
  e('user.contact.address.postal_code', 'User Contact Postal Code', "User's postal code.", 'user.contact.address'),
  e('user.contact.address.state', 'User Contact State', "User's state level address data.", 'user.contact.address'),
  e('user.contact.address.street', 'User Contact Street', "User's street level address data.", 'user.contact.address'),
  e('user.contact.address.mailing_address', 'Mailing Address', "User's mailing address information.", 'user.contact.address'),
  e('user.contact.email', 'User Contact Email', "User's contact email address.", 'user.contact'),
  e('user.contact.phone_number', 'User Contact Phone Number', "User's phone number.", 'user.contact'),
  e('user.contact.url', 'User Website', "Subject's websites or links to social and personal profiles.", 'user.contact'),
  e('user.contact.social_url', 'Social Media URL', "Subject's websites or links to social and personal profiles.", 'user.contact'),
  e('user.contact.fax_number', 'Fax Number', "Data Subject's fax number.", 'user.contact'),
  e('user.contact.organization', 'Organization', "Data Subject's Organization.", 'user.contact'),
  // user.content
  e('user.content', 'User Content', 'Content related to, or created by the subject.', 'user'),
  e('user.content.private', 'Private Content', 'Private content related to, or created by the subject, not publicly available.', 'user.content'),
  e('user.content.public', 'Public Content', 'Publicly shared Content related to, or created by the subject.', 'user.content'),
  e('user.content.self_image', 'User Image', 'Photograph or image in which subject is whole or partially recognized.', 'user.content'),
  // user.demographic
  e('user.demographic', 'Demographic Data', 'Demographic data about a user.', 'user'),
  e('user.demographic.age_range', 'Age Range', 'Non specific age or age-range of data subject.', 'user.demographic'),
  e('user.demographic.date_of_birth', 'Birth Date', 'Date of birth of data subject.', 'user.demographic'),
  e('user.demographic.gender', 'Gender', 'Gender of data subject.', 'user.demographic'),
  e('user.demographic.language', 'Language', 'Spoken or written language of subject.', 'user.demographic'),
  e('user.demographic.marital_status', 'Marital Status', 'Marital status of data subject.', 'user.demographic'),
  e('user.demographic.political_opinion', 'Political Opinion', 'Political opinion or belief of data subject.', 'user.demographic'),
  e('user.demographic.profile', 'User Profile Data', 'Profile or preference information about the data subject.', 'user.demographic'),
  e('user.demographic.race_ethnicity', 'Race', 'Race or ethnicity of data subject.', 'user.demographic'),
  e('user.demographic.religious_belief', 'Religion', 'Religion or religious beliefs of the data subject.', 'user.demographic'),
  e('user.demographic.sexual_orientation', 'Sexual Orientation', 'Sexual orientation of data subject.', 'user.demographic'),
  e('user.demographic.citizenship_or_immigration_status', 'Citizenship or Immigration Status', 'Citizenship or immigration status of data subject.', 'user.demographic'),
  e('user.demographic.philosophical_belief', 'Philosophical Belief', 'Philosophical beliefs or worldview of data subject.', 'user.demographic'),
  e('user.demographic.protected_classifications', 'Protected Classifications', 'Protected classifications or sensitive attributes of data subject.', 'user.demographic'),
  e('user.demographic.union_membership', 'Union Membership', 'Union membership status of data subject.', 'user.demographic'),
  // user.location
  e('user.location', 'Location Data', 'Records of the location of a user.', 'user'),
  e('user.location.imprecise', 'Imprecise Subject Location', 'Imprecise location derived from sensors (more than 500M).', 'user.location'),
  e('user.location.coarse', 'Coarse Subject Location', 'Coarse location derived from sensors (more than 500M).', 'user.location'),
  e('user.location.precise', 'Precise Subject Location', 'Precise location derived from sensors (less than 500M).', 'user.location'),
  // user.device
  e('user.device', 'Device Data', "Data related to a user's device, configuration and setting.", 'user'),
  e('user.device.cookie', 'Device Cookie', 'Data related to a subject, stored within a cookie.', 'user.device'),
  e('user.device.cookie_id', 'Cookie ID', 'Cookie unique identification number.', 'user.device'),
  e('user.device.device_id', 'Device ID', 'Device unique identification number.', 'user.device'),
  e('user.device.ip_address', 'IP Address', 'Unique identifier related to device connection.', 'user.device'),
  e('user.device.sensor', 'Device Sensor Data', 'Measurement data from device sensors and monitoring systems.', 'user.device'),
  e('user.device.telemetry', 'Device Telemetry', 'User identifiable measurement data from device sensors and monitoring.', 'user.device'),
  // user.<misc>
  e('user.payment', 'Payment Data', 'Payment data related to user.', 'user'),
  e('user.social', 'Social Data', 'Social activity and interaction data.', 'user'),
  e('user.social_activity', 'Social Activity Data', 'Social activity and interaction data.', 'user'),
  e('user.settings', 'User Settings', 'User preferences and settings data.', 'user'),
  // user.unique_id
  e('user.unique_id', 'Unique ID', 'Unique identifier for a user assigned through system use.', 'user'),
  e('user.unique_id.pseudonymous', 'Pseudonymous User ID', 'A pseudonymous, or probabilistic identifier generated from other subject or device data belonging to the subject.', 'user.unique_id'),
  e('user.unique_id.deterministic', 'Deterministic User ID', 'A deterministic identifier that can be consistently generated from user data.', 'user.unique_id'),
  e('user.unique_id.probablistic', 'Probabilistic User ID', 'A probabilistic identifier generated from other subject or device data.', 'user.unique_id'),
  // telemetry and sensors (deprecated in 3.2.0 in favour of user.device.*)
  e('user.telemetry', 'Telemetry Data', 'User identifiable measurement data from system sensors and monitoring.', 'user'),
  e('user.user_sensor', 'User Sensor Data', "Measurement data about a user's environment through system use.", 'user'),
  e('user.sensor', 'Sensor Data', 'Measurement data from sensors and monitoring systems.', 'user'),
  // user.financial
  e('user.financial', 'Financial Data', 'Payment data and financial history.', 'user'),
  e('user.financial.bank_account', 'Bank Account Information', 'Bank account information belonging to the subject.', 'user.financial'),
  e('user.financial.credit_card', 'Credit Card Information', 'Credit card information belonging to the subject.', 'user.financial'),
  // user.government_id
  e('user.government_id', 'Government ID', 'State provided identification data.', 'user'),
  e('user.government_id.birth_certificate', 'Birth Certificate', 'State issued certificate of birth.', 'user.government_id'),
  e('user.government_id.drivers_license_number', "Driver's License Number", 'State issued driving identification number.', 'user.government_id'),
  e('user.government_id.immigration', 'Immigration ID', 'State issued immigration or residency data.', 'user.government_id'),
  e('user.government_id.national_identification_number', 'National Identification Number', 'State issued personal identification number.', 'user.government_id'),
  e('user.government_id.passport_number', 'Passport Number', 'State issued passport data.', 'user.government_id'),
  e('user.government_id.vehicle_registration', 'Vehicle Registration', 'State issued license plate or vehicle registration data.', 'user.government_id'),
  // user.health_and_medical (deprecated in 3.2.0) and user.health
  e('user.health_and_medical', 'Health and Medical Data', "Health records or individual's personal medical information.", 'user'),
  e('user.health_and_medical.genetic', "User's Genetic Data", 'Data about the genetic makeup provided by the subject.', 'user.health_and_medical'),
  e('user.health_and_medical.insurance_beneficiary_id', 'Medical Insurance ID', 'Health insurance beneficiary number of the subject.', 'user.health_and_medical'),
  e('user.health_and_medical.record_id', 'Medical Record ID', 'Medical record identifiers belonging to a subject.', 'user.health_and_medical'),
  e('user.health', 'Health Data', "Health records or individual's personal medical information.", 'user'),
  e('user.health.genetic', 'Genetic Data', 'Data about the genetic makeup provided by the subject.', 'user.health'),
  e('user.health.insurance_beneficiary_id', 'Health Insurance ID', 'Health insurance beneficiary number of the subject.', 'user.health'),
  e('user.health.record_id', 'Health Record ID', 'Medical record identifiers belonging to a subject.', 'user.health'),
  e('user.health.baby_formula', 'Baby Formula Information', 'Information about baby formula usage or preferences.', 'user.health'),
  e('user.health.condition', 'Health Condition', 'Health condition or status information.', 'user.health'),
  e('user.health.maternity_clothing', 'Maternity Clothing', 'Information about maternity clothing purchases or preferences.', 'user.health'),
  e('user.health.medical_diagnosis', 'Medical Diagnosis', 'Medical diagnosis information.', 'user.health'),
  e('user.health.medications', 'Medications', 'Information about medications.', 'user.health'),
  e('user.health.prescriptions', 'Prescriptions', 'Prescription medication information.', 'user.health'),
  e('user.health.reproductive_or_sexual', 'Reproductive or Sexual Health', 'Reproductive or sexual health information.', 'user.health'),
  e('user.health.social_psychological_behavioral', 'Social, Psychological, or Behavioral Health', 'Social, psychological, or behavioral health information.', 'user.health'),
  e('user.health.symptons', 'Health Symptoms', 'Health symptom information.', 'user.health'),
  e('user.health.treatment', 'Medical Treatment', 'Medical treatment information.', 'user.health'),
  // user.name
  e('user.name', 'Name', "User's real name.", 'user'),
  e('user.name.first', 'First Name', "Subject's first name.", 'user.name'),
  e('user.name.last', 'Last Name', "Subject's last, or family, name.", 'user.name'),
  // user.<misc>
  e('user.criminal_history', 'Criminal History', 'Criminal records or information about the data subject.', 'user'),
  e('user.privacy_preferences', 'Privacy Preferences', 'Privacy preferences or settings set by the subject.', 'user'),
  e('user.job_title', 'Job Title', 'Professional data.', 'user'),
  e('user.workplace', 'Workplace', 'Organization of employment.', 'user'),
  // user.professional_information
  e('user.professional_information', 'Professional Information', 'Professional and employment-related information.', 'user'),
  e('user.professional_information.job_title', 'Professional Job Title', 'Professional job title or position.', 'user.professional_information'),
  e('user.professional_information.workplace', 'Professional Workplace', 'Organization or workplace of employment.', 'user.professional_information'),
  // system
  e('system', 'System Data', 'Data unique to, and under control of the system.', null),
  e('system.authentication', 'Authentication Data', 'Data used to manage access to the system.', 'system'),
  e('system.operations', 'Operations Data', 'Data used for system operations.', 'system'),
]);

// biome-ignore format: one entry per line keeps the taxonomy data reviewable
export const DATA_USES: readonly TaxonomyEntry[] = Object.freeze([
  // analytics
  e('analytics', 'Analytics', 'Provides analytics for activities such as system and advertising performance reporting, insights and fraud detection.', null),
  e('analytics.reporting', 'Analytics for Reporting', 'Provides analytics for general reporting such as system and advertising performance.', 'analytics'),
  e('analytics.reporting.ad_performance', 'Analytics for Advertising Performance', 'Provides analytics for reporting of advertising performance.', 'analytics.reporting'),
  e('analytics.reporting.content_performance', 'Analytics for Content Performance', 'Analytics for reporting on content performance.', 'analytics.reporting'),
  e('analytics.reporting.campaign_insights', 'Analytics for Insights', 'Provides analytics for reporting of campaign insights related to advertising and promotion activities.', 'analytics.reporting'),
  e('analytics.reporting.system', 'Analytics for System Activity', 'Provides analytics for reporting on system activity.', 'analytics.reporting'),
  e('analytics.reporting.system.performance', 'Analytics for System Performance', 'Provides analytics for reporting on system performance.', 'analytics.reporting.system'),
  // collect
  e('collect', 'Collect', 'Collects or stores data in order to use it for another purpose which has not yet been expressly defined.', null),
  // employment
  e('employment', 'Employment', 'Processes data for the purpose of recruitment or employment and human resources (HR) related activities.', null),
  e('employment.recruitment', 'Employment Recruitment', 'Processes data of prospective employees for the purpose of recruitment.', 'employment'),
  // essential
  e('essential', 'Essential', 'Operates the service or product, including legal obligations, support and basic system operations.', null),
  e('essential.fraud_detection', 'Essential Fraud Detection', 'Detects possible fraud or misuse of the product, service, application or system.', 'essential'),
  e('essential.legal_obligation', 'Essential Legal Obligation', 'Provides service to meet a legal or compliance obligation such as consent management.', 'essential'),
  e('essential.service', 'Essential for Service', 'Provides the essential product, service, application or system, without which the product/service would not be possible.', 'essential'),
  e('essential.service.authentication', 'Essential Service Authentication', 'Authenticate users to the product, service, application or system.', 'essential.service'),
  e('essential.service.notifications', 'Essential Service Notifications', 'Sends notifications about the product, service, application or system.', 'essential.service'),
  e('essential.service.notifications.email', 'Essential Email Service Notifications', 'Sends email notifications about the product, service, application or system.', 'essential.service.notifications'),
  e('essential.service.notifications.sms', 'Essential SMS Service Notifications', 'Sends SMS notifications about the product, service, application or system.', 'essential.service.notifications'),
  e('essential.service.operations', 'Essential for Operations', 'Essential to ensure the operation of the product, service, application or system.', 'essential.service'),
  e('essential.service.operations.support', 'Essential for Operations Support', 'Provides support for the product, service, application or system.', 'essential.service.operations'),
  e('essential.service.operations.improve', 'Essential for Support Improvement', 'Essential to optimize and improve support for the product, service, application or system.', 'essential.service.operations'),
  e('essential.service.payment_processing', 'Essential for Payment Processing', 'Essential to processes payments for the product, service, application or system.', 'essential.service'),
  e('essential.service.security', 'Essential for Security', 'Essential to provide security for the product, service, application or system', 'essential.service'),
  e('essential.service.upgrades', 'Essential for Service Upgrades', 'Provides timely system upgrade information options.', 'essential.service'),
  // finance
  e('finance', 'Finance', 'Enables finance and accounting activities such as audits and tax reporting.', null),
  // functional
  e('functional', 'Functional', 'Used for specific, necessary, and legitimate purposes', null),
  e('functional.storage', 'Local Data Storage', 'Stores or accesses information from the device as needed when using a product, service, application, or system', 'functional'),
  e('functional.service', 'Service', 'Functions relating to provided services, products, applications or systems.', 'functional'),
  e('functional.service.improve', 'Improve Service', 'Improves the specific product, service, application or system.', 'functional.service'),
  // marketing
  e('marketing', 'Marketing', 'Enables marketing, promotion, advertising and sales activities for the product, service, application or system.', null),
  e('marketing.advertising', 'Advertising, Marketing or Promotion', 'Advertises or promotes the product, service, application or system and associated services.', 'marketing'),
  e('marketing.advertising.first_party', 'First Party Advertising', 'Serves advertisements based on first party data collected or derived about the user.', 'marketing.advertising'),
  e('marketing.advertising.first_party.contextual', 'First Party Contextual Advertising', 'Serves advertisements based on current content being viewed by the user of the system or service.', 'marketing.advertising.first_party'),
  e('marketing.advertising.first_party.targeted', 'First Party Personalized Advertising', 'Targets advertisements based on data collected or derived about the user from use of the system.', 'marketing.advertising.first_party'),
  e('marketing.advertising.frequency_capping', 'Frequency Capping', 'Restricts the number of times a specific advertisement is shown to an individual.', 'marketing.advertising'),
  e('marketing.advertising.negative_targeting', 'Negative Targeting', 'Enforces rules used to ensure a certain audience or group is not targeted by advertising.', 'marketing.advertising'),
  e('marketing.advertising.profiling', 'Profiling for Advertising', 'Creates audience profiles for the purpose of targeted advertising', 'marketing.advertising'),
  e('marketing.advertising.serving', 'Essential for Serving Ads', 'Essential to the delivery of advertising and content.', 'marketing.advertising'),
  e('marketing.advertising.third_party', 'Third Party Advertising', 'Serves advertisements based on data within the system or joined with data provided by 3rd parties.', 'marketing.advertising'),
  e('marketing.advertising.third_party.targeted', 'Third Party Targeted Advertising', 'Targets advertisements based on data within the system or joined with data provided by 3rd parties.', 'marketing.advertising.third_party'),
  e('marketing.communications', 'Marketing Communications', 'Uses combined channels to message and market to a customer, user or prospect.', 'marketing'),
  e('marketing.communications.email', 'Marketing Email Communications', 'Sends email marketing communications.', 'marketing.communications'),
  e('marketing.communications.sms', 'Marketing SMS Communications', 'Sends SMS marketing communications.', 'marketing.communications'),
  // operations
  e('operations', 'Operations', "Supports business processes necessary to the organization's operation.", null),
  // personalize
  e('personalize', 'Personalize', 'Personalizes the product, service, application or system.', null),
  e('personalize.content', 'Content Personalization', 'Personalizes the content of the product, service, application or system.', 'personalize'),
  e('personalize.content.limited', 'Limited Content Personalization', 'Uses limited data for the purpose of serving content.', 'personalize.content'),
  e('personalize.content.profiling', 'Profiling for Personalization', 'Creates profiles for the purpose of serving content.', 'personalize.content'),
  e('personalize.content.profiled', 'Targeted Content Personalization', 'Uses profiles for the purpose of serving content.', 'personalize.content'),
  e('personalize.profiling', 'Personalized Profiling', 'Creates profiles for the purpose of serving content.', 'personalize'),
  e('personalize.system', 'System Personalization', 'Personalizes the system.', 'personalize'),
  // sales
  e('sales', 'Sales', 'Supports sales activities such as communications and outreach.', null),
  // third_party_sharing
  e('third_party_sharing', 'Third Party Sharing', "Transfers data to third parties outside of the system or service's scope.", null),
  e('third_party_sharing.legal_obligation', 'Sharing for Legal Obligation', 'Shares data for legal obligations, including contracts, applicable laws or regulations.', 'third_party_sharing'),
  // train_ai_system
  e('train_ai_system', 'Train AI System', 'Trains an AI system or data model for machine learning.', null),
]);

// biome-ignore format: one entry per line keeps the taxonomy data reviewable
export const DATA_SUBJECTS: readonly TaxonomyEntry[] = Object.freeze([
  e('anonymous_user', 'Anonymous User', 'An individual that is unidentifiable to the systems. Note - This should only be applied to truly anonymous users where there is no risk of re-identification', null),
  e('citizen_voter', 'Citizen Voter', 'An individual registered to voter with a state or authority.', null),
  e('commuter', 'Commuter', 'An individual that is traveling or transiting in the context of location tracking.', null),
  e('consultant', 'Consultant', 'An individual employed in a consultative/temporary capacity by the organization.', null),
  e('customer', 'Customer', 'An individual or other organization that purchases goods or services from the organization.', null),
  e('employee', 'Employee', 'An individual employed by the organization.', null),
  e('job_applicant', 'Job Applicant', 'An individual applying for employment to the organization.', null),
  e('next_of_kin', 'Next of Kin', 'A relative of any other individual subject where such a relationship is known.', null),
  e('passenger', 'Passenger', 'An individual traveling on some means of provided transport.', null),
  e('patient', 'Patient', 'An individual identified for the purposes of any medical care.', null),
  e('prospect', 'Prospect', 'An individual or organization to whom an organization is selling goods or services.', null),
  e('shareholder', 'Shareholder', 'An individual or organization that holds equity in the organization.', null),
  e('supplier_vendor', 'Supplier/Vendor', 'An individual or organization that provides services or goods to the organization.', null),
  e('trainee', 'Trainee', 'An individual undergoing training by the organization.', null),
  e('visitor', 'Visitor', 'An individual visiting a location.', null),
]);

/**
 * Data categories that are special categories of personal data (GDPR Art. 9), plus criminal convictions and
 * offences (Art. 10), which need the same heightened care. Every descendant of one of these keys is special too.
 * Both the deprecated (pre-3.2) and current keys are listed so that older data maps are classified correctly.
 */
export const SPECIAL_CATEGORY_PREFIXES: readonly string[] = Object.freeze([
  // data concerning health, including genetic data
  'user.health',
  'user.health_and_medical',
  // biometric data (for uniquely identifying a natural person, which includes biometric authentication)
  'user.biometrics',
  'user.biometric',
  'user.authorization.biometrics',
  'user.authorization.biometric',
  // racial or ethnic origin
  'user.demographic.race_ethnicity',
  // political opinions
  'user.demographic.political_opinion',
  // religious or philosophical beliefs
  'user.demographic.religious_belief',
  'user.demographic.philosophical_belief',
  // trade union membership
  'user.demographic.union_membership',
  // sex life or sexual orientation (reproductive or sexual health is covered by user.health)
  'user.demographic.sexual_orientation',
  // criminal convictions and offences (Art. 10)
  'user.criminal_history',
]);

/** Deprecated default labels and the label that replaced them upstream. */
const DEPRECATIONS: readonly (readonly [string, string])[] = [
  ['user.account.settings', 'user.settings'],
  ['user.authorization.biometric', 'user.authorization.biometrics'],
  ['user.biometric', 'user.biometrics'],
  ['user.biometric.fingerprint', 'user.biometrics.fingerprint'],
  ['user.biometric.retinal', 'user.biometrics.retinal'],
  ['user.biometric.voice', 'user.biometrics.voice'],
  ['user.biometric.health', 'user.biometrics'],
  ['user.childrens', 'user.children'],
  ['user.contact.url', 'user.contact.social_url'],
  ['user.contact.organization', 'user.contact'],
  ['user.location.imprecise', 'user.location.coarse'],
  ['user.social', 'user.social_activity'],
  ['user.unique_id.pseudonymous', 'user.unique_id'],
  ['user.telemetry', 'user.device.telemetry'],
  ['user.user_sensor', 'user.device.sensor'],
  ['user.sensor', 'user.device.sensor'],
  ['user.health_and_medical', 'user.health'],
  ['user.health_and_medical.genetic', 'user.health.genetic'],
  ['user.health_and_medical.insurance_beneficiary_id', 'user.health.insurance_beneficiary_id'],
  ['user.health_and_medical.record_id', 'user.health.record_id'],
  ['user.job_title', 'user.professional_information.job_title'],
  ['user.workplace', 'user.professional_information.workplace'],
  ['personalize.profiling', 'personalize.content.profiling'],
];

const byKey = (entries: readonly TaxonomyEntry[]): ReadonlyMap<string, TaxonomyEntry> =>
  new Map(entries.map((entry) => [entry.key, entry]));

const INDEX: Readonly<Record<TaxonomyKind, ReadonlyMap<string, TaxonomyEntry>>> = {
  category: byKey(DATA_CATEGORIES),
  use: byKey(DATA_USES),
  subject: byKey(DATA_SUBJECTS),
};
const SPECIAL = new Set(SPECIAL_CATEGORY_PREFIXES);
const REPLACEMENTS: ReadonlyMap<string, string> = new Map(DEPRECATIONS);

export function isDataCategory(key: string): boolean {
  return INDEX.category.has(key);
}

export function isDataUse(key: string): boolean {
  return INDEX.use.has(key);
}

export function isDataSubject(key: string): boolean {
  return INDEX.subject.has(key);
}

/** The entry for a key of the default taxonomy, or undefined. */
export function taxonomyEntry(kind: TaxonomyKind, key: string): TaxonomyEntry | undefined {
  return INDEX[kind].get(key);
}

/** The human-readable name of a key of the default taxonomy, or undefined when the key is not in it. */
export function taxonomyLabel(kind: TaxonomyKind, key: string): string | undefined {
  return INDEX[kind].get(key)?.name;
}

/** The label that replaced a deprecated default label, or undefined when the key is not deprecated. */
export function replacementFor(key: string): string | undefined {
  return REPLACEMENTS.get(key);
}

/**
 * The key and its ancestors, root first: `ancestors('user.contact.email')` is
 * `['user', 'user.contact', 'user.contact.email']`. Works for custom keys that extend the default taxonomy.
 */
export function ancestors(key: string): string[] {
  if (key === '') return [];
  const parts = key.split('.');
  const out: string[] = [];
  let current = '';
  for (const part of parts) {
    current = current === '' ? part : `${current}.${part}`;
    out.push(current);
  }
  return out;
}

/** Whether `key` is `ancestorKey` or lies below it in the dotted hierarchy. */
export function isDescendantOrSelf(key: string, ancestorKey: string): boolean {
  return key === ancestorKey || (ancestorKey !== '' && key.startsWith(`${ancestorKey}.`));
}

/**
 * Whether a data category key is a special category (GDPR Art. 9, or Art. 10 criminal data): the key itself or
 * any of its ancestors is listed in SPECIAL_CATEGORY_PREFIXES. Custom descendants such as
 * `user.health.allergies` are special too.
 */
export function isSpecialCategory(key: string): boolean {
  for (const candidate of ancestors(key)) {
    if (SPECIAL.has(candidate)) return true;
  }
  return false;
}
