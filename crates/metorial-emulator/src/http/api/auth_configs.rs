//! `/provider-auth-configs`: a user's connections (delete is a disconnect: it archives).

use metorial_models::{
    CreateProviderAuthConfigBody, ProviderAuthConfig, ProviderAuthConfigList,
    UpdateProviderAuthConfigBody,
};

super::crud::crud_handlers!(
    auth_configs,
    ListProviderAuthConfigs,
    ProviderAuthConfigList,
    ProviderAuthConfig,
    CreateProviderAuthConfigBody,
    UpdateProviderAuthConfigBody
);
