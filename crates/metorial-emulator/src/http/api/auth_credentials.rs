//! `/provider-auth-credentials`: a service's own OAuth apps.

use metorial_models::{
    CreateProviderAuthCredentialsBody, ProviderAuthCredentials, ProviderAuthCredentialsList,
    UpdateProviderAuthCredentialsBody,
};

super::crud::crud_handlers!(
    credentials,
    ListProviderAuthCredentials,
    ProviderAuthCredentialsList,
    ProviderAuthCredentials,
    CreateProviderAuthCredentialsBody,
    UpdateProviderAuthCredentialsBody
);
